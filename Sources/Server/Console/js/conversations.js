// Conversations persisted in localStorage: [{id, title, system, messages: [{role, content, trace?}]}].

const STORAGE = 'groupqwen.conversations';
const CURRENT = 'groupqwen.currentConversation';

function read(key, fallback) {
  try {
    const raw = localStorage.getItem(key);
    return raw ? JSON.parse(raw) : fallback;
  } catch {
    return fallback;
  }
}

function write(key, value) {
  try { localStorage.setItem(key, JSON.stringify(value)); } catch { /* full or disabled: keep in memory */ }
}

export class Conversations {
  constructor() {
    const list = read(STORAGE, []);
    this.list = Array.isArray(list) ? list.filter((c) => c && Array.isArray(c.messages)) : [];
    this.currentId = read(CURRENT, null);
    if (!this.current) this.currentId = this.list[0]?.id ?? this.create().id;
  }

  get current() {
    return this.list.find((c) => c.id === this.currentId) || null;
  }

  create() {
    const conversation = { id: `c${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`,
      title: 'New chat', system: '', messages: [] };
    this.list.unshift(conversation);
    this.currentId = conversation.id;
    this.save();
    return conversation;
  }

  select(id) {
    if (this.list.some((c) => c.id === id)) this.currentId = id;
    this.save();
  }

  remove(id) {
    this.list = this.list.filter((c) => c.id !== id);
    if (this.currentId === id) this.currentId = this.list[0]?.id ?? null;
    if (!this.current) this.create();
    this.save();
  }

  /** Names a conversation after its first user message. */
  retitle(conversation) {
    const first = conversation.messages.find((m) => m.role === 'user');
    if (first) conversation.title = first.content.replace(/\s+/g, ' ').trim().slice(0, 40) || 'New chat';
  }

  save() {
    write(STORAGE, this.list);
    write(CURRENT, this.currentId);
  }
}
