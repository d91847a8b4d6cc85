// The questionnaire as one page that steps through its questions (one per screen, in every
// mode) and keeps the hotline in view. The crisis signs are checked in the browser as the
// answers come, so the hotline's message shows before anything is sent. The answers are sent
// with fetch under the form's idempotency key; when the network or the server fails they are
// sent again, under the same key, on `online` and every few seconds while the page is open, so
// the server keeps exactly one screening (and at most one referral). Health data: the answers
// stay in this page's memory only, never in storage or a cache. Without JavaScript, or in a
// browser without fetch, the plain form works as it is.
(function () {
  "use strict";
  var form = document.querySelector("form[data-screening]");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var items = Array.prototype.slice.call(form.querySelectorAll("fieldset[data-item]"));
  var progress = document.getElementById("screening-progress");
  var back = document.getElementById("screening-back");
  var next = document.getElementById("screening-next");
  var send = document.getElementById("screening-send");
  var waiting = document.getElementById("screening-waiting");
  var hotline = document.getElementById("hotline");
  var crisisNow = document.getElementById("crisis-now");
  var crisisItem = parseInt(form.getAttribute("data-crisis-item"), 10) || 0;
  var severeFrom = parseInt(form.getAttribute("data-severe-from"), 10) || Infinity;
  var current = 0;
  var sending = false;
  var retry = null;
  var RETRY_EVERY = 4000;

  function answer(index) {
    var checked = items[index].querySelector("input:checked");
    return checked ? parseInt(checked.value, 10) : null;
  }

  function firstOpen() {
    for (var i = 0; i < items.length; i++) {
      if (items[i].classList.contains("has-error") || answer(i) === null) {
        return i;
      }
    }
    return items.length - 1;
  }

  function show(index) {
    current = index;
    items.forEach(function (item, i) { item.hidden = i !== index; });
    var last = index === items.length - 1;
    progress.hidden = false;
    progress.textContent = form.getAttribute("data-progress")
      .replace("{n}", String(index + 1)).replace("{total}", String(items.length));
    back.hidden = index === 0;
    next.hidden = last;
    next.disabled = answer(index) === null;
    send.hidden = !last;
  }

  function checkCrisis() {
    var total = 0;
    var crisis = false;
    for (var i = 0; i < items.length; i++) {
      var value = answer(i);
      if (value === null) {
        continue;
      }
      total += value;
      if (crisisItem && i === crisisItem - 1 && value > 0) {
        crisis = true;
      }
    }
    if (total >= severeFrom) {
      crisis = true;
    }
    // Once shown it stays: changing an answer back does not take the help away.
    if (crisis && crisisNow.hidden) {
      crisisNow.hidden = false;
      hotline.classList.add("notice-error");
      hotline.scrollIntoView({block: "start"});
    }
  }

  function stopRetrying() {
    if (retry !== null) {
      window.clearInterval(retry);
      retry = null;
    }
  }

  function waitAndRetry() {
    waiting.hidden = false;
    hotline.scrollIntoView({block: "start"});
    if (retry === null) {
      retry = window.setInterval(deliver, RETRY_EVERY);
    }
  }

  function deliver() {
    if (sending) {
      return;
    }
    sending = true;
    send.disabled = true;
    fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin"})
      .then(function (response) {
        sending = false;
        if (response.status >= 500) {
          throw new Error("the server could not take it now");
        }
        stopRetrying();
        if (response.ok) {
          window.location.assign(response.url);  // the result page, after the redirect
        } else {
          form.submit();  // refused (a missing answer, consent withdrawn): the server's page says why
        }
      })
      .catch(function () {
        sending = false;
        send.disabled = false;
        waitAndRetry();
      });
  }

  items.forEach(function (item, index) {
    item.addEventListener("change", function () {
      checkCrisis();
      if (index === current) {
        next.disabled = false;
      }
    });
  });
  next.addEventListener("click", function () {
    if (answer(current) !== null && current < items.length - 1) {
      show(current + 1);
      items[current].querySelector("input").focus();
    }
  });
  back.addEventListener("click", function () {
    if (current > 0) {
      show(current - 1);
    }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (current < items.length - 1) {
      next.click();
      return;
    }
    deliver();
  });
  window.addEventListener("online", function () {
    if (retry !== null) {
      deliver();
    }
  });
  checkCrisis();
  show(firstOpen());
}());
