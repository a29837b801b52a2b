#!/usr/bin/env node
// Starts telegram-test-api 4.2.1 on 127.0.0.1 and makes its bot-side answers
// Telegram-shaped, so a real python-telegram-bot client can talk to it.
//
// The emulator's known defects this corrects (see shared/test-servers.md):
// getMe without is_bot; dates in milliseconds; edits answering `null`;
// callback queries without chat_instance, without the message's id and
// date, and with ids that start over at 1; user messages without a date; getUpdates ignoring offset, limit and
// timeout (it "confirms" an update as soon as it has been fetched once);
// errors that are not {ok:false, error_code, description}; texts and captions of any
// length and HTML of any shape (Telegram refuses a text over 4,096 UTF-16 units, a
// caption over 1,024, and a tag left open or an entity cut in two). It adds what the
// emulator lacks: sendPhoto by URL or by upload, sendDocument and sendVoice by upload, setMyCommands,
// a secret-token header on webhook calls, and, for tests, injected 429 (flood) and 403
// (blocked) answers.
//
// Usage: node launch.js [--port N] [--host 127.0.0.1]
// Prints one JSON line {"port": N} on stdout once it listens (port 0 = any free port).
//
// Test-only control routes (not part of the Bot API):
//   POST /_control/limits {token, per_second, per_chat_per_second, retry_after, mode}
//        mode "window" (default): a send over the limits in the last second is refused, the others go on;
//        mode "penalty": as Telegram does with a flooding bot, after one refusal every send of that bot
//        is refused until retry_after has passed, each refusal naming the seconds left
//   POST /_control/outage {token, seconds}  refuse every connection for that long (the listener closes)
//   POST /_control/block {token, chat_id}  sends to that chat answer 403
//   POST /_control/redeliver {token, update_id}  Telegram sending a confirmed update again
//   POST /_control/chat {token, chat_id}  the bot's messages in that chat, as the learner sees them
//   POST /_control/stats {token}  counts of sends, 429 and 403 answers, pending updates, calls by method
//   POST /_control/commands {token}  what setMyCommands stored, per language
//   POST /_control/file {token, file_id}  an uploaded document or voice: name, type, size and content (base64)
'use strict';

const http = require('http');
const TelegramServer = require('telegram-test-api');

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1] : fallback;
}

const host = option('host', '127.0.0.1');
const port = Number(option('port', '0'));
const BOT = { id: 666, is_bot: true, first_name: 'Test Bot', username: 'TestNameBot' };
const SEND_METHODS = new Set(['sendMessage', 'sendPhoto', 'sendDocument', 'sendVoice', 'editMessageText',
  'editMessageReplyMarkup', 'editMessageCaption']);
// Telegram's limits on a message's text and a caption, in UTF-16 code units after parsing
// (a JavaScript string's length counts those units).
const LIMITS = { text: 4096, caption: 1024 };
const TEXT_FIELDS = { sendMessage: 'text', editMessageText: 'text', sendPhoto: 'caption', sendDocument: 'caption',
  sendVoice: 'caption', editMessageCaption: 'caption' };

// A day: the emulator's clean-up must never forget what a test still reads.
const tg = new TelegramServer({ host, port: 1, storeTimeout: 86400 });
tg.setMaxListeners(0);

const seconds = (millis) => Math.floor(millis / 1000);
const now = () => seconds(Date.now());
// Telegram dates are seconds; anything above 10^11 is a JavaScript millisecond time.
const toSeconds = (value, fallbackMillis) => {
  if (value === undefined || value === null || value === '') return seconds(fallbackMillis);
  const number = Number(value);
  return number > 1e11 ? seconds(number) : number;
};

// Per bot token: Telegram-shaped copies of the bot's messages, limits, counters.
const bots = new Map();
function bot(token) {
  if (!bots.has(token)) {
    bots.set(token, {
      messages: new Map(), // `${chat_id}:${message_id}` -> message
      order: [],
      confirmed: [], // updates already confirmed, for /_control/redeliver
      limits: { per_second: 0, per_chat_per_second: 0, retry_after: 1, mode: 'window' },
      penalty_until: 0, // "penalty" mode: every send refused until then (milliseconds)
      recent: [], // [millis, chat_id] of accepted sends in the last second
      blocked: new Set(),
      refusals: [], // [millis, chat_id, retry_after] of every 429
      accepted: [], // [millis, chat_id, method, content] of every send that went through
      stats: { sent: 0, refused_429: 0, refused_403: 0, edits: 0, photos: 0, documents: 0, voices: 0,
        callbacks_answered: 0, calls: {} },
      files: new Map(), // file_id -> {name, mime_type, content: Buffer} of every uploaded document or voice
      commands: {},
      webhook: null,
    });
  }
  return bots.get(token);
}

function parseJsonField(value) {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch (_error) {
    return value;
  }
}

const ENTITY_TAGS = { b: 'bold', strong: 'bold', i: 'italic', em: 'italic', u: 'underline', s: 'strikethrough',
  code: 'code', pre: 'pre' };
const HTML_ESCAPES = { '&lt;': '<', '&gt;': '>', '&amp;': '&', '&quot;': '"', '&#39;': "'", '&#x27;': "'" };

// Telegram parses parse_mode=HTML into plain text and entities; so does this.
// Offsets are UTF-16 code units, which is what JavaScript string indexes are.
function parseHtml(html) {
  let text = '';
  const entities = [];
  const open = [];
  const token = /<(\/?)([a-z]+)[^>]*>|&(?:lt|gt|amp|quot|#39|#x27);|[^<&]+|[<&]/gi;
  let match;
  while ((match = token.exec(html)) !== null) {
    const [whole, closing, tag] = match;
    if (tag !== undefined) {
      const type = ENTITY_TAGS[tag.toLowerCase()];
      if (type === undefined) throw new Error(`Can't parse entities: unsupported start tag "${tag}"`);
      if (closing) {
        const started = open.pop();
        if (!started || started.type !== type) throw new Error(`Can't parse entities: unexpected end tag "${tag}"`);
        if (text.length > started.offset) {
          entities.push({ type, offset: started.offset, length: text.length - started.offset });
        }
      } else {
        open.push({ type, offset: text.length });
      }
    } else if (whole.startsWith('&') && whole.length > 1) {
      text += HTML_ESCAPES[whole];
    } else if (whole === '<' || whole === '&') {
      // What is left of a tag or an entity cut in two.
      throw new Error(`Can't parse entities: a bare "${whole}" at byte offset ${match.index}`);
    } else {
      text += whole;
    }
  }
  if (open.length) throw new Error(`Can't parse entities: unclosed tag "${open[open.length - 1].type}"`);
  entities.sort((a, b) => a.offset - b.offset);
  return { text, entities };
}

function formatted(body, field) {
  const raw = body[field] === undefined ? '' : String(body[field]);
  let result = { [field]: raw };
  if (String(body.parse_mode || '').toUpperCase() === 'HTML') {
    const { text, entities } = parseHtml(raw);
    const entitiesField = field === 'text' ? 'entities' : `${field}_entities`;
    result = entities.length ? { [field]: text, [entitiesField]: entities } : { [field]: text };
  }
  if (field === 'text' && !result.text.trim()) throw new Error('message text is empty');
  if (result[field].length > LIMITS[field]) {
    throw new Error(field === 'text' ? 'message is too long' : 'message caption is too long');
  }
  return result;
}

function keyboard(body) {
  const markup = parseJsonField(body.reply_markup);
  return markup && markup.inline_keyboard ? markup : undefined;
}

function telegramError(res, code, description, parameters) {
  const body = { ok: false, error_code: code, description };
  if (parameters) body.parameters = parameters;
  res.status(code).type('application/json').end(JSON.stringify(body));
}

function ok(res, result) {
  res.status(200).type('application/json').end(JSON.stringify({ ok: true, result }));
}

// Injected limits: the 429 Telegram answers when a bot sends too fast. The retry_after to
// answer with, or 0 when the send may go.
function refused(state, chatId) {
  const millis = Date.now();
  if (state.penalty_until > millis) return Math.ceil((state.penalty_until - millis) / 1000);
  state.recent = state.recent.filter(([at]) => at > millis - 1000);
  const { per_second: overall, per_chat_per_second: perChat, retry_after: retryAfter, mode } = state.limits;
  const inChat = state.recent.filter(([, chat]) => chat === chatId).length;
  if ((overall > 0 && state.recent.length >= overall) || (perChat > 0 && inChat >= perChat)) {
    if (mode === 'penalty') state.penalty_until = millis + retryAfter * 1000;
    return retryAfter;
  }
  state.recent.push([millis, chatId]);
  return 0;
}

function storeBotMessage(state, token, body, content) {
  const chatId = Number(body.chat_id);
  // Keep the emulator's own store in step, so its history and ids stay right.
  const raw = tg.addBotMessage({ ...body, chat_id: String(chatId), reply_markup: keyboard(body) }, token);
  const message = {
    message_id: raw.message_id,
    from: BOT,
    chat: { id: chatId, type: 'private', first_name: 'Learner' },
    date: now(),
    ...content,
  };
  const markup = keyboard(body);
  if (markup) message.reply_markup = markup;
  state.messages.set(`${chatId}:${message.message_id}`, message);
  state.order.push(`${chatId}:${message.message_id}`);
  return message;
}

function edit(state, body, change) {
  const key = `${Number(body.chat_id)}:${Number(body.message_id)}`;
  const message = state.messages.get(key);
  if (!message) return null;
  change(message);
  const markup = keyboard(body);
  if (markup) message.reply_markup = markup;
  else delete message.reply_markup;
  message.edit_date = now();
  state.stats.edits += 1;
  // Let the emulator's own store see the edit too.
  tg.editMessageText({ ...body, reply_markup: markup });
  return message;
}

const METHODS = {
  getMe: (_state, _body, res) => ok(res, { ...BOT, can_join_groups: false, can_read_all_group_messages: false,
    supports_inline_queries: false }),
  sendMessage: (state, body, res, token) => {
    ok(res, storeBotMessage(state, token, body, formatted(body, 'text')));
  },
  sendPhoto: (state, body, res, token) => {
    if (typeof body.photo !== 'string' || !body.photo) {
      telegramError(res, 400, 'Bad Request: the test emulator takes photos by URL or file_id only, no uploads');
      return;
    }
    state.stats.photos += 1;
    const photo = [{ file_id: `photo-${Date.now()}`, file_unique_id: 'p', width: 640, height: 480, url: body.photo }];
    ok(res, storeBotMessage(state, token, body, { photo, ...formatted(body, 'caption') }));
  },
  sendDocument: (state, body, res, token) => {
    const upload = typeof body.document === 'object' && body.document !== null ? body.document : null;
    if (!upload) {
      telegramError(res, 400, 'Bad Request: the test emulator takes documents as uploads only');
      return;
    }
    const content = formatted(body, 'caption');
    state.stats.documents += 1;
    const fileId = `document-${state.files.size + 1}-${Date.now()}`;
    state.files.set(fileId, upload);
    const document = { file_id: fileId, file_unique_id: fileId, file_name: upload.name,
      mime_type: upload.mime_type, file_size: upload.content.length,
      // Not Telegram's: what the test emulator noticed about the upload.
      upload: `upload:${upload.name}:${upload.content.length}:${upload.kind}` };
    ok(res, storeBotMessage(state, token, { ...body, document: undefined }, { document, ...content }));
  },
  sendVoice: (state, body, res, token) => {
    const upload = typeof body.voice === 'object' && body.voice !== null ? body.voice : null;
    if (!upload) {
      telegramError(res, 400, 'Bad Request: the test emulator takes voice messages as uploads only');
      return;
    }
    const content = formatted(body, 'caption');
    state.stats.voices += 1;
    const fileId = `voice-${state.files.size + 1}-${Date.now()}`;
    state.files.set(fileId, upload);
    // Telegram keeps a voice message's name to itself; the bot gives the duration in seconds.
    const voice = { file_id: fileId, file_unique_id: fileId, duration: Number(body.duration || 0),
      mime_type: upload.mime_type, file_size: upload.content.length };
    ok(res, storeBotMessage(state, token, { ...body, voice: undefined }, { voice, ...content }));
  },
  editMessageText: (state, body, res) => {
    const message = edit(state, body, (m) => {
      delete m.entities;
      Object.assign(m, formatted(body, 'text'));
    });
    if (message) ok(res, message);
    else telegramError(res, 400, 'Bad Request: message to edit not found');
  },
  editMessageCaption: (state, body, res) => {
    const message = edit(state, body, (m) => {
      delete m.caption_entities;
      Object.assign(m, formatted(body, 'caption'));
    });
    if (message) ok(res, message);
    else telegramError(res, 400, 'Bad Request: message to edit not found');
  },
  editMessageReplyMarkup: (state, body, res) => {
    const message = edit(state, body, () => {});
    if (message) ok(res, message);
    else telegramError(res, 400, 'Bad Request: message to edit not found');
  },
  answerCallbackQuery: (state, _body, res) => {
    state.stats.callbacks_answered += 1;
    ok(res, true);
  },
  setMyCommands: (state, body, res) => {
    state.commands[body.language_code || ''] = parseJsonField(body.commands);
    ok(res, true);
  },
  getMyCommands: (state, body, res) => ok(res, state.commands[body.language_code || ''] || []),
  deleteMyCommands: (state, body, res) => {
    delete state.commands[body.language_code || ''];
    ok(res, true);
  },
  sendChatAction: (_state, _body, res) => ok(res, true),
  setWebhook: (state, body, res, token) => {
    if (!body.url) {
      telegramError(res, 400, 'Bad Request: bad webhook: an HTTPS URL must be provided for webhook');
      return;
    }
    state.webhook = { url: String(body.url), secret: body.secret_token ? String(body.secret_token) : null };
    tg.setWebhook({ url: state.webhook.url }, token);
    ok(res, true);
    void pushWebhook(token);
  },
  deleteWebhook: (state, _body, res, token) => {
    state.webhook = null;
    tg.deleteWebhook(token);
    ok(res, true);
  },
  getWebhookInfo: (state, _body, res, token) => ok(res, {
    url: state.webhook ? state.webhook.url : '', has_custom_certificate: false,
    pending_update_count: pendingUpdates(token).length,
  }),
  getUpdates: (state, body, res, token) => getUpdates(state, body, res, token),
};

// --- updates -------------------------------------------------------------------------------

function pendingUpdates(token) {
  return tg.storage.userMessages
    .filter((update) => update.botToken === token)
    .sort((a, b) => a.updateId - b.updateId);
}

// The emulator's updates lack fields Telegram always sends; fill them in.
function telegramUpdate(update, token) {
  const formatted = TelegramServer.formatUpdate(update);
  const state = bot(token);
  if (formatted.callback_query) {
    const query = formatted.callback_query;
    // Telegram's query ids are unique, the emulator's count from 1 again after a restart;
    // the same update sent again keeps its id.
    if (!update.queryId) update.queryId = `${Date.now()}${Math.floor(Math.random() * 1e6)}`;
    query.id = update.queryId;
    const given = query.message || {};
    const chatId = given.chat ? Number(given.chat.id) : Number(query.from.id);
    // Telegram sends the message as it is now; a message it never sent stays as the client gave it.
    const known = state.messages.get(`${chatId}:${Number(given.message_id)}`);
    query.message = known ? JSON.parse(JSON.stringify(known)) : {
      ...given,
      message_id: Number(given.message_id || 0),
      chat: given.chat || { id: chatId, type: 'private' },
      date: toSeconds(given.date, update.time),
    };
    query.from = { is_bot: false, ...query.from };
    query.chat_instance = query.chat_instance || `ci-${chatId}`;
  } else if (formatted.message) {
    const message = formatted.message;
    message.date = toSeconds(message.date, update.time);
    message.from = { is_bot: false, ...message.from };
    delete message.botToken;
    if (message.chat === undefined) message.chat = { id: Number(message.from.id), type: 'private' };
  }
  return formatted;
}

const waiters = new Set();
function wakeWaiters() {
  for (const wake of [...waiters]) wake();
}
for (const name of ['AddedUserMessage', 'AddedUserCommand', 'AddedUserCallbackQuery', 'Redelivered']) {
  tg.on(name, wakeWaiters);
}

// Telegram's contract: an update stays until a getUpdates asks for a later offset.
function getUpdates(state, body, res, token) {
  if (state.webhook) {
    telegramError(res, 409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
    return;
  }
  const offset = Number(body.offset || 0);
  const limit = Math.min(Math.max(Number(body.limit || 100), 1), 100);
  const timeout = Math.min(Math.max(Number(body.timeout || 0), 0), 50);
  if (offset > 0) {
    const confirmed = tg.storage.userMessages.filter((u) => u.botToken === token && u.updateId < offset);
    state.confirmed.push(...confirmed);
    tg.storage.userMessages = tg.storage.userMessages.filter(
      (u) => u.botToken !== token || u.updateId >= offset,
    );
  }
  const answer = () => ok(res, pendingUpdates(token).slice(0, limit).map((u) => telegramUpdate(u, token)));
  if (pendingUpdates(token).length || timeout === 0) {
    answer();
    return;
  }
  let timer = null;
  const finish = (reply) => {
    if (timer === null) return;
    clearTimeout(timer);
    timer = null;
    waiters.delete(wake);
    if (reply) answer();
  };
  const wake = () => {
    if (pendingUpdates(token).length) finish(true);
  };
  waiters.add(wake);
  timer = setTimeout(() => finish(true), timeout * 1000);
  // The learner's bot went away (or was killed) while it waited.
  res.on('close', () => finish(false));
}

// Webhook calls with Telegram's secret-token header, retried until the bot answers 2xx.
tg.addUserUpdate = async function addUserUpdate(update) {
  const state = bot(update.botToken);
  this.storage.userMessages.push(update);
  this.updateId++;
  if (state.webhook) void pushWebhook(update.botToken);
};

async function pushWebhook(token) {
  const state = bot(token);
  if (state.pushing) return;
  state.pushing = true;
  try {
    while (state.webhook && pendingUpdates(token).length) {
      const update = pendingUpdates(token)[0];
      const headers = { 'content-type': 'application/json' };
      if (state.webhook.secret) headers['x-telegram-bot-api-secret-token'] = state.webhook.secret;
      let delivered = false;
      try {
        const answer = await fetch(state.webhook.url, {
          method: 'POST', headers, body: JSON.stringify(telegramUpdate(update, token)),
        });
        delivered = answer.ok;
      } catch (_error) {
        delivered = false;
      }
      if (delivered) {
        tg.storage.userMessages = tg.storage.userMessages.filter((u) => u !== update);
        state.confirmed.push(update);
      } else {
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  } finally {
    state.pushing = false;
  }
}

// --- control routes for tests ---------------------------------------------------------------

const CONTROL = {
  limits: (state, body) => {
    state.limits = {
      per_second: Number(body.per_second || 0),
      per_chat_per_second: Number(body.per_chat_per_second || 0),
      retry_after: Number(body.retry_after || 1),
      mode: body.mode === 'penalty' ? 'penalty' : 'window',
    };
    state.penalty_until = 0;
    return state.limits;
  },
  // Every 429 and every accepted send, for a test to check that no retry came before its retry_after.
  sends: (state) => ({ refusals: state.refusals, accepted: state.accepted }),
  outage: (_state, body) => {
    const seconds = Number(body.seconds || 0);
    // After this answer has gone out: close the listener and every open connection, listen again later.
    setImmediate(() => {
      server.close();
      server.closeAllConnections();
      setTimeout(() => server.listen(port === 0 ? listening : port, host), seconds * 1000);
    });
    return { seconds };
  },
  block: (state, body) => {
    state.blocked.add(Number(body.chat_id));
    return true;
  },
  redeliver: (state, body, token) => {
    const update = state.confirmed.find((u) => u.updateId === Number(body.update_id));
    if (!update) return false;
    tg.storage.userMessages.push(update);
    tg.emit('Redelivered');
    if (state.webhook) void pushWebhook(token);
    return true;
  },
  chat: (state, body) => state.order
    .filter((key) => key.startsWith(`${Number(body.chat_id)}:`))
    .map((key) => state.messages.get(key)),
  stats: (state, _body, token) => ({
    ...state.stats,
    pending_updates: pendingUpdates(token).length,
    confirmed_updates: state.confirmed.map((u) => u.updateId),
  }),
  commands: (state) => state.commands,
  file: (state, body) => {
    const upload = state.files.get(String(body.file_id));
    return upload ? { name: upload.name, mime_type: upload.mime_type, size: upload.content.length,
      kind: upload.kind, content: upload.content.toString('base64') } : null;
  },
};

// --- uploads ------------------------------------------------------------------------------------

// A multipart/form-data body as plain fields. An uploaded photo becomes a short
// description ("upload:<name>:<bytes>:png" or ":other") that tests can check:
// the emulator keeps no pictures, but a test can see that a real PNG arrived. An
// uploaded document or voice is kept whole ({name, mime_type, kind, content}), kind "json"
// when it parses as JSON, so a test can read what the learner would download or hear.
function readMultipart(req) {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(req.headers['content-type'] || '');
  if (!boundary) return Promise.reject(new Error('multipart body without a boundary'));
  const marker = Buffer.from(`--${boundary[1] || boundary[2]}`);
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('error', reject);
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const fields = {};
      let at = raw.indexOf(marker);
      while (at >= 0) {
        const start = at + marker.length + 2; // past the boundary and its CRLF
        const end = raw.indexOf(marker, start);
        if (end < 0) break;
        const part = raw.subarray(start, end - 2); // without the CRLF before the next boundary
        const split = part.indexOf('\r\n\r\n');
        const headers = part.subarray(0, split).toString('utf8');
        const content = part.subarray(split + 4);
        const name = /name="([^"]*)"/.exec(headers);
        const file = /filename="([^"]*)"/.exec(headers);
        const type = /content-type:\s*([^\r\n;]+)/i.exec(headers);
        if (name && file && (name[1] === 'document' || name[1] === 'voice')) {
          fields[name[1]] = { name: file[1], mime_type: type ? type[1].trim() : 'application/octet-stream',
            kind: kindOf(content), content: Buffer.from(content) };
        } else if (name) {
          fields[name[1]] = file ? `upload:${file[1]}:${content.length}:${kindOf(content)}` : content.toString('utf8');
        }
        at = end;
      }
      resolve(fields);
    });
  });
}

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function kindOf(content) {
  if (content.subarray(0, 8).equals(PNG)) return 'png';
  try {
    JSON.parse(content.toString('utf8'));
    return 'json';
  } catch (_error) {
    return 'other';
  }
}

// --- the HTTP front ---------------------------------------------------------------------------

function front(req, res, next) {
  const control = /^\/_control\/([a-z]+)$/.exec(req.path);
  if (control) {
    const action = CONTROL[control[1]];
    if (!action) {
      telegramError(res, 404, 'Not Found');
      return;
    }
    const token = String(req.body.token || '');
    ok(res, action(bot(token), req.body, token));
    return;
  }
  const call = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(req.path);
  if (!call) {
    next();
    return;
  }
  const [, token, method] = call;
  const handler = METHODS[method];
  if (!handler) {
    telegramError(res, 404, `Not Found: method ${method} is not supported by the test emulator`);
    return;
  }
  if (req.is('multipart/form-data')) {
    if (method !== 'sendPhoto' && method !== 'sendDocument' && method !== 'sendVoice') {
      telegramError(res, 400, `Bad Request: the test emulator takes file uploads for sendPhoto, sendDocument and sendVoice only, not ${method}`);
      return;
    }
    readMultipart(req)
      .then((fields) => {
        req.body = fields;
        req.headers['content-type'] = 'application/json';
        front(req, res, next);
      })
      .catch((error) => telegramError(res, 400, `Bad Request: ${error.message}`));
    return;
  }
  const body = { ...req.query, ...req.body };
  const state = bot(token);
  // Every Bot API call by method, so a benchmark can show two bots make the same calls.
  state.stats.calls[method] = (state.stats.calls[method] || 0) + 1;
  if (SEND_METHODS.has(method)) {
    const chatId = Number(body.chat_id);
    if (state.blocked.has(chatId)) {
      state.stats.refused_403 += 1;
      telegramError(res, 403, 'Forbidden: bot was blocked by the user');
      return;
    }
    const retryAfter = refused(state, chatId);
    if (retryAfter) {
      state.stats.refused_429 += 1;
      state.refusals.push([Date.now(), chatId, retryAfter]);
      telegramError(res, 429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });
      return;
    }
    // Refused as Telegram refuses it, before it counts as sent.
    const field = TEXT_FIELDS[method];
    if (field) {
      try {
        formatted(body, field);
      } catch (error) {
        telegramError(res, 400, `Bad Request: ${error.message}`);
        return;
      }
    }
    // What was sent, so a test can tell a message sent twice (same text, same buttons) from two messages.
    const markup = keyboard(body);
    state.accepted.push([Date.now(), chatId, method, `${body.text || body.caption || ''}|${markup ? JSON.stringify(markup) : ''}`]);
    if (method.startsWith('send')) state.stats.sent += 1;
  }
  try {
    handler(state, body, res, token);
  } catch (error) {
    telegramError(res, 400, `Bad Request: ${error.message}`);
  }
}

// Run our front after the emulator's body parsers and before its routes.
tg.webServer.use(front);
const stack = tg.webServer._router.stack;
const ours = stack.pop();
const parsers = stack.findIndex((layer) => layer.name === 'requestLogger');
stack.splice(parsers + 1, 0, ours);

// A failed webhook call or client route must not end the emulator mid-test.
process.on('unhandledRejection', (error) => {
  process.stderr.write(`emulator: ${error && error.stack ? error.stack : error}\n`);
});

const server = http.createServer(tg.webServer);
let listening = port; // the port actually taken, so an outage reopens the same one
server.listen(port, host, () => {
  listening = server.address().port;
  process.stdout.write(`${JSON.stringify({ port: listening })}\n`);
});
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
