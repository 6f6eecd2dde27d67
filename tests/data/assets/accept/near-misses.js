/* Near misses of every rule: none of these fetches or closes the element. */
var svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
var link = 'https://www.rfc-editor.org/rfc/rfc' + 6455 + '#section-' + 5;
a.href = '#filters';
a.href = link;
img.src = 'data:image/png;base64,AAAA';
var prefetched = prefetch(1);
var important = 'important';
var closing = '</' + 'p>';
var note = 'script and style tags';
var s = 'a WebSocket server';
