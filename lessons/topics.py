"""The six topics of the regional digital maturity check, as people read them."""

from __future__ import annotations

from lessons.i18n import _


def topic_name(topic: str) -> str:
    names = {
        "strategy": _("Strategy and KPIs"),
        "iot": _("Smart devices and IoT"),
        "skills": _("Digital skills"),
        "participation": _("Citizen participation"),
        "business": _("Digital business"),
        "security": _("Cyber security"),
    }
    return names.get(topic, topic)
