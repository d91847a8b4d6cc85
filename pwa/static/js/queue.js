// The offline queue of a district's forms: what a resident sends without a connection is kept
// on the device (IndexedDB) with the form's idempotency key, and sent when the server can be
// reached again. One file for the page and the service worker (which loads it with
// importScripts for Background Sync): nothing here touches the page.
//
// Sending again is always safe: the server makes one item of one idempotency key, however
// many times it arrives. Each attempt first fetches the form afresh for a new CSRF token, so
// an expired token or session never loses what was typed: the entry waits for the person to
// sign in again.
"use strict";

var GongzhiQueue = (function () {
  var DATABASE = "gongzhi-queue";
  var STORE = "submissions";
  var LOCK = "gongzhi-queue";
  // An entry's state: waiting (to be sent), signin (the person must sign in again), refused
  // (the server said what to correct: the person opens it again), sent (with its item).
  var WAITING = "waiting", SIGNIN = "signin", REFUSED = "refused", SENT = "sent";

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DATABASE, 1);
      request.onupgradeneeded = function () {
        var store = request.result.createObjectStore(STORE, {keyPath: "key"});
        store.createIndex("slug", "slug");
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function transact(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(STORE, mode);
        var result = work(transaction.objectStore(STORE));
        transaction.oncomplete = function () { db.close(); resolve(result && result.result !== undefined ? result.result : result); };
        transaction.onerror = function () { db.close(); reject(transaction.error); };
        transaction.onabort = function () { db.close(); reject(transaction.error); };
      });
    });
  }

  function put(entry) {
    return transact("readwrite", function (store) { store.put(entry); });
  }

  // Records an attempt's outcome only if the entry is still kept: a send that was under way
  // when the person signed out (and the device forgot everything) brings nothing back.
  function update(entry) {
    return transact("readwrite", function (store) {
      var found = store.get(entry.key);
      found.onsuccess = function () {
        if (found.result) {
          store.put(entry);
        }
      };
    });
  }

  function remove(key) {
    return transact("readwrite", function (store) { store["delete"](key); });
  }

  function entries(slug) {
    return transact("readonly", function (store) { return store.index("slug").getAll(slug); })
      .then(function (found) {
        return (found || []).sort(function (a, b) { return a.created - b.created; });
      });
  }

  // Keeps a form's fields (files included) for later; the key is its idempotency key.
  function add(slug, action, form, summary) {
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "_csrf_token") {
        fields.push([name, value]);
      }
    });
    var key = form.elements.idempotency_key.value;
    return put({key: key, slug: slug, action: action, fields: fields, summary: summary,
                state: WAITING, created: Date.now(), item: "", tracking: "", message: ""})
      .then(function () { return key; });
  }

  function isLogin(response) {
    return /\/login(\?|$)/.test(new URL(response.url).pathname + "?") || response.status === 401 ||
      response.status === 403;
  }

  function formPage(entry) {
    return entry.action;  // the form's own page: GET of the address it posts to
  }

  function tokenIn(html) {
    var found = /name="_csrf_token" value="([^"]+)"/.exec(html);
    return found ? found[1] : "";
  }

  function trackingIn(html) {
    var found = /data-tracking="([^"]+)"/.exec(html);
    return found ? found[1] : "";
  }

  function firstErrorIn(html) {
    var found = /<p class="error"[^>]*>([^<]+)<\/p>/.exec(html);
    return found ? found[1].replace(/&#3[49];|&quot;|&amp;|&lt;|&gt;/g, function (entity) {
      return {"&#34;": "\"", "&#39;": "'", "&quot;": "\"", "&amp;": "&", "&lt;": "<", "&gt;": ">"}[entity];
    }) : "";
  }

  // One attempt for one entry: resolves to true to go on with the next, false to stop (no
  // connection, or the person must sign in).
  function sendOne(entry) {
    return fetch(formPage(entry), {credentials: "same-origin", cache: "no-store"}).then(function (page) {
      if (page.redirected && isLogin(page) || page.status === 401 || page.status === 403) {
        entry.state = SIGNIN;
        return update(entry).then(function () { return false; });
      }
      if (!page.ok) {
        return false;  // the server is there but not well: later
      }
      return page.text().then(function (html) {
        var body = new FormData();
        entry.fields.forEach(function (field) { body.append(field[0], field[1]); });
        body.append("_csrf_token", tokenIn(html));
        return fetch(entry.action, {method: "POST", body: body, credentials: "same-origin"});
      }).then(function (answer) {
        if (answer.redirected && isLogin(answer) || answer.status === 401 || answer.status === 403) {
          entry.state = SIGNIN;
          return update(entry).then(function () { return false; });
        }
        if (answer.status >= 500) {
          return false;
        }
        return answer.text().then(function (html) {
          if (answer.redirected && answer.ok) {
            entry.state = SENT;
            entry.item = answer.url;
            entry.tracking = trackingIn(html);
          } else {
            entry.state = REFUSED;
            entry.message = firstErrorIn(html);
          }
          return update(entry).then(function () { return true; });
        });
      });
    });
  }

  function sendAll(slug) {
    return entries(slug).then(function (found) {
      var pending = found.filter(function (entry) { return entry.state === WAITING || entry.state === SIGNIN; });
      return pending.reduce(function (previous, entry) {
        return previous.then(function (goOn) { return goOn ? sendOne(entry) : false; });
      }, Promise.resolve(true));
    }).catch(function () {
      return false;  // no connection: the entries wait
    });
  }

  // Sends what waits, one sender at a time on this device (page tabs and the worker alike).
  function flush(slug) {
    if (typeof navigator !== "undefined" && navigator.locks) {
      return navigator.locks.request(LOCK + "/" + slug, function () { return sendAll(slug); });
    }
    return sendAll(slug);
  }

  return {WAITING: WAITING, SIGNIN: SIGNIN, REFUSED: REFUSED, SENT: SENT, add: add, entries: entries,
          remove: remove, flush: flush};
})();
