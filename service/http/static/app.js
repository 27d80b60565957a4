// Progressive enhancement of the form. Without this script the form posts to / and the
// server renders the whole page. With it, the same fields go to /stream, which answers one
// JSON line per event: a progress bar moves and the rows fill in as sentences are done.
// Closing the page (or submitting again) aborts the request; the server then drops the
// sentences still queued for it.
(function () {
  "use strict";
  var form = document.getElementById("digest-form");
  if (!form || !window.fetch || !window.TextDecoder || !window.AbortController) return;
  var progress = document.getElementById("progress");
  var bar = document.getElementById("progress-bar");
  var progressText = document.getElementById("progress-text");
  var button = document.getElementById("submit");
  var running = null;
  var weak = parseFloat(form.dataset.weak || "0");

  // A digest's point, chosen: the sentence it came from is marked in the side-by-side view,
  // in Romanian and in English, so a reader can check one against the other.
  function markIn(cell, sentence) {
    var walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      var at = node.data.indexOf(sentence);
      if (at < 0) continue;
      var hit = node.splitText(at);
      hit.splitText(sentence.length);
      var mark = el("mark", "", { "class": "cite" });
      hit.parentNode.replaceChild(mark, hit);
      mark.appendChild(hit);
      return;
    }
  }
  document.getElementById("result").addEventListener("click", function (event) {
    var link = event.target.closest("a.cite");
    if (!link) return;
    event.preventDefault();
    var result = document.getElementById("result");
    result.querySelectorAll("mark.cite").forEach(function (m) {
      m.replaceWith(document.createTextNode(m.textContent));
    });
    result.querySelectorAll("tr.cited").forEach(function (r) { r.classList.remove("cited"); });
    var row = document.getElementById("para-" + link.dataset.para);
    if (!row) return;
    row.normalize();
    row.classList.add("cited");
    markIn(row.children[0], link.dataset.source);
    markIn(row.children[1], link.dataset.translation);
    row.scrollIntoView({ block: "center" });
  });

  function wireCopyButtons(root) {
    root.querySelectorAll("button.copy").forEach(function (btn) {
      btn.hidden = false;
      btn.addEventListener("click", function () {
        var src = document.getElementById(btn.dataset.copy);
        if (!src) return;
        navigator.clipboard.writeText(src.value).then(function () {
          btn.textContent = "Copied";
          setTimeout(function () { btn.textContent = "Copy"; }, 1500);
        });
      });
    });
  }
  wireCopyButtons(document);

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  // Text with each of `terms` in it wrapped in <mark class="term"> (the glossary's terms),
  // as the server's `marked` filter renders it for the page without JavaScript.
  function edge(text, i) {
    return i < 0 || i >= text.length || !/[\p{L}\p{N}_]/u.test(text[i]);
  }

  function marked(tag, text, terms, attrs) {
    var node = el(tag, "", attrs);
    var wanted = terms.filter(function (t, i) { return t && terms.indexOf(t) === i; })
      .sort(function (a, b) { return b.length - a.length; });
    var pos = 0;
    while (wanted.length && pos < text.length) {
      var best = -1, found = "";
      wanted.forEach(function (t) {
        var at = text.indexOf(t, pos);
        while (at >= 0 && !(edge(text, at - 1) && edge(text, at + t.length))) {
          at = text.indexOf(t, at + 1);  // whole words only: not "Ion" in "Ionescu"
        }
        if (at >= 0 && (best < 0 || at < best)) { best = at; found = t; }
      });
      if (best < 0) break;
      node.appendChild(document.createTextNode(text.slice(pos, best)));
      node.appendChild(el("mark", found, { "class": "term" }));
      pos = best + found.length;
    }
    node.appendChild(document.createTextNode(text.slice(pos)));
    return node;
  }

  function badge(warnings) {
    var span = el("span", "⚠ " + warnings.join(", "), {
      "class": "warn", "title": "Check this paragraph: " + warnings.join(", ")
    });
    return span;
  }

  function showError(result, message) {
    result.textContent = "";
    result.appendChild(el("p", message, { "class": "error", "role": "alert" }));
  }

  // The view being filled: the shell from <template id="result-shell">, one row per paragraph.
  function View(result) {
    result.textContent = "";
    result.appendChild(document.getElementById("result-shell").content.cloneNode(true));
    this.result = result;
    this.body = result.querySelector("#side-by-side tbody");
    this.rows = {};
  }
  View.prototype.segment = function (seg) {
    var row = this.rows[seg.paragraph];
    if (!row) {
      row = this.rows[seg.paragraph] = el("tr");
      row.appendChild(el("td", "", { lang: "ro" }));
      row.appendChild(el("td", "", { lang: "en" }));
      this.body.appendChild(row);
    }
    var cells = row.children;
    cells[0].textContent += (cells[0].textContent ? " " : "") + seg.source;
    var english = cells[1].firstChild || cells[1].appendChild(document.createTextNode(""));
    english.data += (english.data ? " " : "") + seg.translation;
    var warnings = seg.warnings.slice();
    if (seg.confidence !== null && seg.confidence < weak) warnings.push("low_confidence");
    if (warnings.length) {
      var old = cells[1].querySelector(".warn");
      var all = old ? old.textContent.slice(2).split(", ") : [];
      warnings.forEach(function (w) { if (all.indexOf(w) < 0) all.push(w); });
      if (old) old.remove();
      cells[1].appendChild(badge(all.sort()));
    }
  };
  View.prototype.summary = function (event) {
    this.result.querySelector("#headline").textContent = event.headline;
    var list = this.result.querySelector("#summary");
    list.textContent = "";
    if (event.citations.length) {  // each point links to the sentence it came from
      event.citations.forEach(function (c) {
        var item = el("li");
        item.appendChild(el("a", c.translation, {
          "class": "cite", "href": "#para-" + c.paragraph, "data-para": c.paragraph,
          "data-source": c.source, "data-translation": c.translation, "title": "From: " + c.source
        }));
        list.appendChild(item);
      });
    } else {
      event.summary_sentences.forEach(function (s) { list.appendChild(el("li", s)); });
    }
    this.result.querySelector("#summary-text").value = event.summary;
  };
  View.prototype.done = function (view) {
    // The server's own view of the whole text: exact paragraphs, as the page without JS.
    var body = this.body;
    body.textContent = "";
    view.rows.forEach(function (r, i) {
      var row = el("tr", "", { id: "para-" + i });
      var terms = r[3] || [];
      row.appendChild(marked("td", r[0], terms.map(function (t) { return t[0]; }), { lang: "ro" }));
      var english = marked("td", r[1], terms.map(function (t) { return t[1]; }), { lang: "en" });
      if (r[2].length) english.appendChild(badge(r[2]));
      row.appendChild(english);
      body.appendChild(row);
    });
    this.result.querySelector("#translation-text").value = view.translation;
    this.result.querySelector("#meta").textContent =
      view.segments + " sentences · " + view.elapsed_ms + " ms · model " + view.model;
    wireCopyButtons(this.result);
    this.result.querySelector("#headline").focus();
  };

  function setProgress(done, total) {
    bar.max = Math.max(total, 1);
    bar.value = done;
    progressText.textContent = done + " / " + total + " sentences";
  }

  function handle(event, state) {
    if (event.type === "start") {
      state.view = new View(document.getElementById("result"));
      setProgress(0, event.segments);
    } else if (event.type === "segment") {
      state.view.segment(event);
      setProgress(event.index + 1, event.total);
    } else if (event.type === "summary") {
      progressText.textContent = "Summarising…";
      state.view.summary(event);
    } else if (event.type === "done") {
      state.view.done(event);
      state.finished = true;
    } else if (event.type === "error") {
      showError(document.getElementById("result"), event.detail);
      state.finished = true;
    }
  }

  async function run(controller) {
    var result = document.getElementById("result");
    var response = await fetch(form.dataset.stream, {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/x-ndjson" },
      signal: controller.signal
    });
    if (!response.ok) {
      var problem = await response.json().catch(function () { return {}; });
      showError(result, problem.detail || "The server answered " + response.status + ".");
      return;
    }
    var reader = response.body.getReader();
    var decoder = new TextDecoder();
    var buffered = "";
    var state = { view: null, finished: false };
    for (;;) {
      var chunk = await reader.read();
      if (chunk.done) break;
      buffered += decoder.decode(chunk.value, { stream: true });
      var lines = buffered.split("\n");
      buffered = lines.pop();
      lines.forEach(function (line) { if (line) handle(JSON.parse(line), state); });
    }
    if (!state.finished) showError(result, "The connection closed before the result was complete. Try again.");
  }

  // One choice of what to translate: the text box, the file input or the link is shown.
  var textInput = document.getElementById("text-input");
  var fileInput = document.getElementById("file-input");
  var linkInput = document.getElementById("link-input");
  var file = document.getElementById("file");
  var asDocument = document.getElementById("as-document");
  function chosen() {
    var picked = form.querySelector("input[name=source]:checked");
    return picked ? picked.value : "text";
  }
  function showChoice() {
    textInput.hidden = chosen() !== "text";
    fileInput.hidden = chosen() !== "file";
    if (linkInput) linkInput.hidden = chosen() !== "link";
  }
  form.querySelectorAll("input[name=source]").forEach(function (radio) {
    radio.addEventListener("change", showChoice);
  });
  showChoice();

  // A file that comes back in English is posted as the form is (the browser downloads
  // the answer); text, and a .txt or .html file to digest, are streamed.
  function givesDocument() {
    if (chosen() !== "file" || !file.files.length) return false;
    return asDocument.checked || !/\.(txt|html?)$/i.test(file.files[0].name);
  }

  form.addEventListener("submit", function (event) {
    if (givesDocument()) return;
    event.preventDefault();
    if (running) running.abort();
    var controller = running = new AbortController();
    progress.hidden = false;
    setProgress(0, 0);
    progressText.textContent = "Sending…";
    button.disabled = true;
    run(controller)
      .catch(function (err) {
        if (err.name !== "AbortError") {
          showError(document.getElementById("result"), "The server could not be reached. Try again.");
        }
      })
      .finally(function () {
        if (running !== controller) return;
        running = null;
        progress.hidden = true;
        button.disabled = false;
      });
  });
  window.addEventListener("pagehide", function () { if (running) running.abort(); });
})();
