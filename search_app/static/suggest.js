// Search-as-you-type: fills a <datalist> for the search box from /api/suggest.
// Progressive enhancement: without this script the form works the same, minus the list.
(function () {
  "use strict";
  var input = document.querySelector("input[data-suggest]");
  if (!input || !window.fetch) {
    return;
  }
  var list = document.createElement("datalist");
  list.id = "goi-y-tim-kiem";
  input.setAttribute("list", list.id);
  input.parentNode.appendChild(list);
  var timer = null;
  var asked = "";

  function show(suggestions) {
    list.textContent = "";
    suggestions.forEach(function (text) {
      var option = document.createElement("option");
      option.value = text;
      list.appendChild(option);
    });
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
}());
