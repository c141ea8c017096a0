// A small Markdown renderer that builds DOM nodes only (never HTML strings): model output is untrusted.
// Supports paragraphs, headings, block quotes, ordered/unordered lists, fenced code blocks (with a
// language label and a copy button), inline code, bold, italic and http(s) links. Anything else,
// including raw HTML such as <img …> or <script>, stays literal text.

import { h } from './dom.js';

/** Renders `source` into a DocumentFragment. An unclosed fence (mid-stream) renders as code so far. */
export function renderMarkdown(source) {
  const fragment = document.createDocumentFragment();
  const lines = String(source).replace(/\r\n?/g, '\n').split('\n');
  let paragraph = [];
  let list = null;        // the open <ul>/<ol>
  let listOrdered = false;

  const flushParagraph = () => {
    if (!paragraph.length) return;
    const p = h('p');
    paragraph.forEach((line, i) => {
      if (i) p.append(h('br'));
      p.append(...inline(line));
    });
    fragment.append(p);
    paragraph = [];
  };
  const closeList = () => { list = null; };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = line.match(/^\s*(`{3,}|~{3,})\s*([\w+#.-]*)/);
    if (fence) {
      flushParagraph(); closeList();
      const code = [];
      i++;
      while (i < lines.length && !lines[i].trim().startsWith(fence[1])) code.push(lines[i++]);
      fragment.append(codeBlock(code.join('\n'), fence[2]));
      continue;
    }
    if (!line.trim()) { flushParagraph(); closeList(); continue; }

    const heading = line.match(/^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/);
    if (heading) {
      flushParagraph(); closeList();
      fragment.append(h(`h${Math.min(heading[1].length + 2, 6)}`, {}, inline(heading[2])));
      continue;
    }
    const item = line.match(/^\s*([-*+]|\d{1,9}[.)])\s+(.*)$/);
    if (item) {
      flushParagraph();
      const ordered = /\d/.test(item[1]);
      if (!list || listOrdered !== ordered) {
        list = h(ordered ? 'ol' : 'ul');
        if (ordered && parseInt(item[1], 10) !== 1) list.start = parseInt(item[1], 10);
        listOrdered = ordered;
        fragment.append(list);
      }
      list.append(h('li', {}, inline(item[2])));
      continue;
    }
    const quote = line.match(/^\s*>\s?(.*)$/);
    if (quote) {
      flushParagraph(); closeList();
      fragment.append(h('blockquote', {}, h('p', {}, inline(quote[1]))));
      continue;
    }
    if (list && /^\s{2,}\S/.test(line)) {   // continuation of a list item
      list.lastElementChild.append(' ', ...inline(line.trim()));
      continue;
    }
    closeList();
    paragraph.push(line);
  }
  flushParagraph();
  return fragment;
}

// One alternation; the group that matched tells the kind of span.
const INLINE = new RegExp([
  '(`+)([^`]|[^`][\\s\\S]*?[^`])\\1(?!`)',        // 1,2: code span
  '\\*\\*(?=\\S)([\\s\\S]*?\\S)\\*\\*',             // 3: bold
  '(?<![\\w])__(?=\\S)([\\s\\S]*?\\S)__(?![\\w])',   // 4: bold
  '\\*(?=[^\\s*])([^*]*?[^\\s*])?\\*',               // 5: italic (single char allowed)
  '(?<![\\w])_(?=[^\\s_])([^_]*?[^\\s_])?_(?![\\w])', // 6: italic
  '\\[([^\\]\\n]+)\\]\\(([^()\\s]+(?:\\([^()\\s]*\\))?)\\)', // 7,8: link (one level of parentheses)
].join('|'));

/** Inline Markdown → array of nodes. */
export function inline(text) {
  const nodes = [];
  let rest = text;
  while (rest) {
    const m = INLINE.exec(rest);
    if (!m) { nodes.push(document.createTextNode(rest)); break; }
    if (m.index) nodes.push(document.createTextNode(rest.slice(0, m.index)));
    rest = rest.slice(m.index + m[0].length);
    if (m[1] !== undefined) {
      nodes.push(h('code', { text: m[2].replace(/^ (.*) $/, '$1') }));
    } else if (m[3] !== undefined || m[4] !== undefined) {
      nodes.push(h('strong', {}, inline(m[3] ?? m[4])));
    } else if (m[7] !== undefined) {
      nodes.push(link(m[7], m[8], m[0]));
    } else {
      // Italic: group 5 or 6 (undefined for a one-character span like *a*).
      const body = m[5] ?? m[6] ?? m[0].slice(1, -1);
      nodes.push(h('em', {}, inline(body)));
    }
  }
  return nodes;
}

/** A link only for absolute http(s) URLs; any other scheme (javascript:, data:, …) stays text. */
function link(label, url, literal) {
  let parsed;
  try { parsed = new URL(url); } catch { return document.createTextNode(literal); }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return document.createTextNode(literal);
  return h('a', { href: parsed.href, target: '_blank', rel: 'noopener noreferrer' }, inline(label));
}

function codeBlock(code, language) {
  const status = h('span', { class: 'copy-status', role: 'status' });
  const copy = h('button', { type: 'button', class: 'copy', text: 'Copy' });
  copy.addEventListener('click', () => {
    const done = (text) => { status.textContent = text; setTimeout(() => { status.textContent = ''; }, 1500); };
    if (!navigator.clipboard) { done('Copy unavailable'); return; }
    navigator.clipboard.writeText(code).then(() => done('Copied'), () => done('Copy failed'));
  });
  return h('div', { class: 'code-block' },
    h('div', { class: 'code-head' }, h('span', { class: 'lang', text: language || 'text' }), status, copy),
    h('pre', {}, h('code', { class: language ? `language-${language}` : null, text: code })));
}
