// Search-as-you-type: a list of completions under the search box, from /api/suggest (an ARIA combobox).
// Progressive enhancement: without this script the form works the same, minus the list.
// Not a <datalist>: browsers show only the options holding each word as typed, so a completion that
// restores accents (nghi quy: "nghị quyết") or fixes a typo would never be seen.
(function () {
  "use strict";
  var input = document.querySelector("input[data-suggest]");
  if (!input || !window.fetch) {
    return;
  }
  var list = document.createElement("ul");
  list.id = "goi-y-tim-kiem";
  list.className = "suggestions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Gợi ý tìm kiếm");
  list.hidden = true;
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");
  input.parentNode.appendChild(list);
  var timer = null;
  var asked = "";
  var active = -1;

  function options() {
    return list.querySelectorAll("[role=option]");
  }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    highlight(-1);
  }

  function show(suggestions) {
    list.textContent = "";
    suggestions.forEach(function (text, n) {
      var option = document.createElement("li");
      option.id = list.id + "-" + n;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.textContent = text;
      list.appendChild(option);
    });
    close();
    open();
  }

  function open() {
    if (options().length && document.activeElement === input) {
      list.style.width = input.offsetWidth + "px";  // under the box, not the button beside it
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }
  }

  function highlight(n) {
    var all = options();
    active = n;
    for (var i = 0; i < all.length; i++) {
      all[i].setAttribute("aria-selected", i === n ? "true" : "false");
    }
    if (n >= 0) {
      input.setAttribute("aria-activedescendant", all[n].id);
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function choose(text) {
    input.value = text;
    asked = text;
    close();
    if (input.form.requestSubmit) {
      input.form.requestSubmit();
    } else {
      input.form.submit();
    }
  }

  function ask() {
    // a space after the last word is kept (one): the server offers the words likeliest after it
    var q = input.value.replace(/^\s+/, "").replace(/\s+$/, " ");
    if (q === asked) {
      return;
    }
    asked = q;
    if (!q.trim()) {
      show([]);
      return;
    }
    fetch(input.getAttribute("data-suggest") + "?q=" + encodeURIComponent(q))
      .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
      .then(function (data) { if (q === asked) { show(data.suggestions || []); } })
      .catch(function () { show([]); });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 120);
  });
  input.addEventListener("keydown", function (event) {
    var count = options().length;
    if (list.hidden && count && event.key === "ArrowDown") {
      event.preventDefault();
      open();  // hidden with Escape or by leaving the box: the same completions again, none chosen
      return;
    }
    if (list.hidden || !count) {
      return;
    }
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();  // the caret stays; -1 is the text as typed
      var step = event.key === "ArrowDown" ? 1 : -1;
      highlight((active + step + count + 2) % (count + 1) - 1);
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      choose(options()[active].textContent);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });
  input.addEventListener("blur", close);
  list.addEventListener("mousedown", function (event) {
    event.preventDefault();  // the box keeps the focus (no blur) until the click chooses
  });
  list.addEventListener("click", function (event) {
    var option = event.target.closest("[role=option]");
    if (option) {
      choose(option.textContent);
    }
  });
}());
