// A district's forms that may be sent without a connection (form[data-offline]): when the
// server cannot be reached, the form is kept on this device (queue.js) and the page says so;
// it is sent when the connection returns (on the `online` event, on every page load, every
// few seconds while something waits, and by the service worker's Background Sync), and the
// page then shows its tracking number. The box [data-queue] lists what waits, in the page's
// language (its data-* texts). Without script the forms post as they always did.
(function () {
  "use strict";
  var box = document.querySelector("[data-queue]");
  if (!box || typeof GongzhiQueue === "undefined" || !("indexedDB" in window)) {
    return;
  }
  var slug = box.getAttribute("data-queue");
  var text = function (name) { return box.getAttribute("data-" + name) || ""; };
  var RETRY_MS = 5000;
  var timer = null;

  function newKey() {
    if (window.crypto && crypto.randomUUID) {
      return crypto.randomUUID();
    }
    return String(Date.now()) + Math.random().toString(16).slice(2);
  }

  function line(entry) {
    var item = document.createElement("li");
    item.className = "queued queued-" + entry.state;
    item.setAttribute("data-key", entry.key);
    var what = document.createElement("strong");
    what.textContent = entry.summary;
    item.appendChild(what);
    var state = document.createElement("span");
    item.appendChild(document.createTextNode(" "));
    item.appendChild(state);
    if (entry.state === GongzhiQueue.SENT) {
      state.textContent = text("sent") + " ";
      var link = document.createElement("a");
      link.href = entry.item;
      link.className = "tracking";
      link.textContent = entry.tracking || text("open");
      state.appendChild(link);
    } else if (entry.state === GongzhiQueue.SIGNIN) {
      state.textContent = text("signin") + " ";
      var login = document.createElement("a");
      login.href = "/t/" + slug + "/login?next=" + encodeURIComponent(location.pathname);
      login.textContent = text("login");
      state.appendChild(login);
    } else if (entry.state === GongzhiQueue.REFUSED) {
      state.textContent = (entry.message ? entry.message + " " : "");
      var fix = document.createElement("a");
      fix.href = entry.action + "?queued=" + encodeURIComponent(entry.key);
      fix.textContent = text("correct");
      state.appendChild(fix);
    } else {
      state.textContent = text("waiting");
    }
    return item;
  }

  // Shows what waits; a sent entry is shown once, then forgotten.
  function show() {
    return GongzhiQueue.entries(slug).then(function (found) {
      var list = box.querySelector("ul");
      list.textContent = "";
      found.forEach(function (entry) { list.appendChild(line(entry)); });
      box.hidden = found.length === 0;
      found.filter(function (entry) { return entry.state === GongzhiQueue.SENT; })
        .forEach(function (entry) { GongzhiQueue.remove(entry.key); });
      var waiting = found.some(function (entry) {
        return entry.state === GongzhiQueue.WAITING || entry.state === GongzhiQueue.SIGNIN;
      });
      clearTimeout(timer);
      if (waiting) {
        timer = setTimeout(send, RETRY_MS);
      }
    });
  }

  function send() {
    return GongzhiQueue.flush(slug).then(show, show);
  }

  function askForSync() {
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.ready.then(function (registration) {
        return registration.sync && registration.sync.register("gongzhi-queue");
      }).catch(function () {});
    }
  }

  function isLogin(response) {
    return /\/login$/.test(new URL(response.url).pathname) || response.status === 401 || response.status === 403;
  }

  function keep(form) {
    var description = form.elements.description ? form.elements.description.value.trim() : "";
    var summary = description.length > 40 ? description.slice(0, 40) + "…" : description;
    return GongzhiQueue.add(slug, new URL(form.action).pathname, form, summary || text("untitled")).then(function () {
      form.reset();
      form.elements.idempotency_key.value = newKey();
      var said = document.querySelector("[data-kept]");
      if (said) {
        said.hidden = false;
        said.focus();
      }
      askForSync();
      return show();
    });
  }

  function watch(form) {
    var queued = new URLSearchParams(location.search).get("queued");
    if (queued) {
      // A kept form the server asked to correct: back into the form, under the same key.
      GongzhiQueue.entries(slug).then(function (found) {
        var entry = found.filter(function (e) { return e.key === queued; })[0];
        if (!entry) {
          return;
        }
        entry.fields.forEach(function (field) {
          var input = form.elements[field[0]];
          if (input && typeof field[1] === "string" && input.type !== "file" && input.type !== "hidden") {
            if (input.type === "checkbox") {
              input.checked = input.value === field[1];
            } else {
              input.value = field[1];
            }
          }
        });
        form.elements.idempotency_key.value = entry.key;
        GongzhiQueue.remove(entry.key).then(show);
      });
    } else if (!form.querySelector(".has-error")) {
      // A page the worker kept is the same each time: each new form gets a key of its own.
      form.elements.idempotency_key.value = newKey();
    }
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-posting")) {
        return;  // the plain post below
      }
      event.preventDefault();
      if (!navigator.onLine) {
        keep(form);
        return;
      }
      fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin"}).then(function (answer) {
        if (answer.redirected && answer.ok && !isLogin(answer)) {
          location.assign(answer.url);
        } else if (answer.status >= 500 || isLogin(answer)) {
          keep(form);
        } else {
          // Something to correct: the server's page, as without script (one key: no second item).
          form.setAttribute("data-posting", "1");
          form.submit();
        }
      }, function () {
        keep(form);
      });
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-offline]"), watch);
  window.addEventListener("online", send);
  send();
})();
