// 长辈模式: a form marked data-steps asks one question per screen, with Next and Back.
// Only in elderly mode (<html class="elderly">) and only with this script: without it the
// form is the ordinary one. It stays one form and is sent by one normal POST (its
// idempotency key and all that was typed are in it); after the server finds something to
// correct, the first step with an error is shown, and the error summary's links open
// the step they point to.
(function () {
  "use strict";
  if (!document.documentElement.classList.contains("elderly")) {
    return;
  }

  function makeButton(text, className) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = text;
    if (className) {
      button.className = className;
    }
    return button;
  }

  function stepped(form) {
    var submit = form.querySelector("button[type=submit]");
    // A question is a part of the form with something to fill or press ("Add where I am"
    // is one only where the phone can tell where it is: js/place.js, run before, shows it).
    var steps = Array.prototype.filter.call(form.children, function (element) {
      return element !== submit && !(element.tagName === "INPUT" && element.type === "hidden") &&
        element.querySelector("input:not([type=hidden]), select, textarea, button:not([hidden])") !== null;
    });
    if (steps.length < 2 || !submit) {
      return;
    }
    var count = document.createElement("p");
    count.className = "step-count";
    count.setAttribute("aria-live", "polite");
    count.tabIndex = -1;
    form.insertBefore(count, steps[0]);
    var back = makeButton(form.getAttribute("data-back"), "secondary");
    var next = makeButton(form.getAttribute("data-next"));
    var nav = document.createElement("div");
    nav.className = "step-nav";
    nav.appendChild(back);
    nav.appendChild(next);
    nav.appendChild(submit);
    form.appendChild(nav);
    var current = 0;

    function show(index, focus) {
      current = Math.max(0, Math.min(index, steps.length - 1));
      steps.forEach(function (step, position) {
        step.hidden = position !== current;
      });
      back.hidden = current === 0;
      next.hidden = current === steps.length - 1;
      submit.hidden = current !== steps.length - 1;
      count.textContent = form.getAttribute("data-step-text")
        .replace("%(n)s", String(current + 1)).replace("%(total)s", String(steps.length));
      if (focus) {
        var first = steps[current].querySelector("input:not([type=hidden]), select, textarea, button:not([hidden])");
        (first || count).focus();
      }
    }

    function stepOf(element) {
      for (var i = 0; i < steps.length; i += 1) {
        if (steps[i].contains(element)) {
          return i;
        }
      }
      return -1;
    }

    back.addEventListener("click", function () { show(current - 1, true); });
    next.addEventListener("click", function () { show(current + 1, true); });
    // Enter in a field goes to the next question; only the last one sends (before any other
    // submit handler, such as the offline queue's).
    form.addEventListener("submit", function (event) {
      if (current < steps.length - 1) {
        event.preventDefault();
        event.stopImmediatePropagation();
        show(current + 1, true);
      }
    }, true);
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[href^='#']");
      var target = link && document.getElementById(link.getAttribute("href").slice(1));
      var index = target ? stepOf(target) : -1;
      if (index >= 0) {
        show(index, false);
      }
    });
    var wrong = form.querySelector(".has-error, [aria-invalid=true]");
    show(wrong ? stepOf(wrong) : 0, false);
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-steps]"), stepped);
})();
