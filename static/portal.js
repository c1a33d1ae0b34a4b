// After an htmx update, keyboard and screen-reader users stay where they were: the message (or the form's errors)
// appears next to the form they used and takes the focus; if that form is gone, the updated region's first heading
// does. No jump to the top or the bottom of the page. (Every form also works without JavaScript.)
(function () {
  var pending = null;   // the section the submitted form was in
  var message = null;   // the text the server sent with HX-Trigger

  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var section = event.detail.elt && event.detail.elt.closest ? event.detail.elt.closest("section[aria-labelledby]") : null;
    pending = section ? section.getAttribute("aria-labelledby") : null;
    message = null;
  });

  document.body.addEventListener("portal:message", function (event) {
    message = (event.detail && (event.detail.value || event.detail)) || null;
    if (typeof message !== "string") message = null;
  });

  function focusOn(element) {
    if (!element) return false;
    if (!element.hasAttribute("tabindex")) element.setAttribute("tabindex", "-1");
    element.focus({ preventScroll: true });
    element.scrollIntoView({ block: "nearest" });
    return true;
  }

  document.body.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (!target || target.id === "resultaten") { pending = null; return; }  // list filters keep focus in the filter
    var heading = pending ? document.getElementById(pending) : null;
    var section = heading ? heading.closest("section") : null;
    var errors = (section || target).querySelector(".error-summary, [role='alert']");
    if (errors && focusOn(errors)) { pending = null; return; }
    if (message) {
      var note = document.createElement("div");
      note.className = "utrecht-alert utrecht-alert--ok update-message";
      note.setAttribute("role", "status");
      var p = document.createElement("p");
      p.textContent = message;
      note.appendChild(p);
      if (section && heading) {
        heading.insertAdjacentElement("afterend", note);
      } else {
        target.insertBefore(note, target.firstChild);
      }
      focusOn(note);
    } else {
      focusOn(heading || target.querySelector("h2, h3"));
    }
    pending = null;
    message = null;
  });
})();

// The recommendation picker's filter box: shown only with JavaScript; hides the choices that do not match every word.
(function () {
  function setUp(root) {
    root.querySelectorAll("[data-picker]").forEach(function (input) {
      var picker = document.getElementById(input.getAttribute("data-picker"));
      if (!picker || input.dataset.ready) return;
      input.dataset.ready = "1";
      input.closest(".picker-filter").hidden = false;
      input.addEventListener("input", function () {
        var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
        var shown = 0;
        picker.querySelectorAll("[data-picker-item]").forEach(function (item) {
          var text = item.textContent.toLowerCase();
          var match = words.every(function (w) { return text.indexOf(w) !== -1; });
          item.hidden = !match && !item.querySelector("input:checked");
          if (!item.hidden) shown += 1;
        });
        picker.querySelectorAll(".picker-group").forEach(function (group) {
          group.hidden = !group.querySelector("[data-picker-item]:not([hidden])");
        });
        picker.querySelector(".picker-none").hidden = shown > 0;
      });
    });
  }
  setUp(document);
  document.body.addEventListener("htmx:afterSettle", function (event) { setUp(event.detail.target); });
})();
