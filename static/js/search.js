/* Suggestions under every search box (ARIA combobox + listbox); the plain form works without. */
(function () {
  var S = document.currentScript, D = document, n = 0;
  if (!S || !window.fetch || !window.AbortController) return;
  function set(el, k, v) { el.setAttribute(k, v); }
  D.querySelectorAll('form[role=search] input[name=q]').forEach(function (box) {
    var id = 'sg' + n++, ul = D.createElement('ul'), live = D.createElement('p'),
      opts = [], at = -1, timer, ctl;
    ul.id = id; ul.className = 'sg'; ul.hidden = true;
    set(ul, 'role', 'listbox'); set(ul, 'aria-label', S.dataset.label);
    live.className = 'vh'; set(live, 'role', 'status');
    box.form.append(ul, live);
    set(box, 'role', 'combobox'); set(box, 'aria-autocomplete', 'list');
    set(box, 'aria-expanded', 'false'); set(box, 'aria-controls', id); set(box, 'autocomplete', 'off');
    function pick(i) {
      at = i;
      opts.forEach(function (o, j) { set(o, 'aria-selected', j === i); });
      if (i < 0) box.removeAttribute('aria-activedescendant'); else set(box, 'aria-activedescendant', opts[i].id);
    }
    function show(on) { ul.hidden = !on; set(box, 'aria-expanded', on); if (!on) pick(-1); }
    function go(o) { location.href = o.dataset.url; }
    function fill(data) {
      ul.textContent = '';
      opts = data.suggestions.map(function (s, j) {
        var o = D.createElement('li');
        o.id = id + '-' + j; o.textContent = s.title; o.dataset.url = s.url;
        set(o, 'role', 'option'); set(o, 'aria-selected', 'false');
        o.onmousedown = function (e) { e.preventDefault(); };
        o.onclick = function () { go(o); };
        ul.append(o);
        return o;
      });
      var k = opts.length;
      show(k > 0);
      live.textContent = k ? (k > 1 ? S.dataset.many.replace('%n', k) : S.dataset.one) : '';
    }
    box.addEventListener('input', function () {
      var q = box.value;
      clearTimeout(timer);
      if (ctl) ctl.abort();
      if (q.trim().length < 2) { opts = []; show(false); return; }
      timer = setTimeout(function () {
        ctl = new AbortController();
        fetch(S.dataset.url + '?q=' + encodeURIComponent(q), { signal: ctl.signal })
          .then(function (r) { return r.json(); }).then(fill, function () {});
      }, 200);
    });
    box.addEventListener('keydown', function (e) {
      var k = e.key, m = opts.length;
      if ((k === 'ArrowDown' || k === 'ArrowUp') && m) {
        e.preventDefault();
        show(true);
        pick(k === 'ArrowDown' ? (at + 1) % m : (at < 1 ? m : at) - 1);
      } else if (k === 'Enter' && at >= 0) {
        e.preventDefault();
        go(opts[at]);
      } else if (k === 'Escape' && !ul.hidden) {
        e.preventDefault();
        show(false);
      }
    });
    box.addEventListener('blur', function () { show(false); });
  });
})();
