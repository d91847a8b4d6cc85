// The service worker of one district's app, scope {{ scope }} (rendered by tenants/pwa.py).
// Hand-written, no library. What it keeps: the app shell (hashed static files and the offline
// page), precached at install; hashed static files met later, cache-first. Pages are fetched
// from the network; without it, the offline page is shown. It shows the pushes it receives. Nothing under NEVER_CACHED, and no
// response marked private or no-store, is ever put in a cache.
"use strict";

var SLUG = {{ slug | tojson }};
var SCOPE = {{ scope | tojson }};
var VERSION = {{ version | tojson }};
// Every cache of this district's worker starts with PREFIX ("/" is in no slug, so one
// district's worker never touches another's caches on the same origin); the version in the
// name lets a new worker start afresh and delete the old ones when it activates.
var PREFIX = "gongzhi/" + SLUG + "/";
var SHELL_CACHE = PREFIX + "shell/" + VERSION;
var STATIC_CACHE = PREFIX + "static/" + VERSION;
// Pages read, kept across versions: a notice read before stays readable offline after an update.
var PAGES_CACHE = PREFIX + "pages";
var CURRENT_CACHES = [SHELL_CACHE, STATIC_CACHE, PAGES_CACHE];
// Kept as they are read (exact paths; a trailing "*" keeps what is under it).
var KEPT = {{ kept | tojson }};
var SHELL = {{ shell | tojson }};
var OFFLINE_URL = {{ offline | tojson }};
// Never cached, whatever the response says: the console, legal aid, mental health.
var NEVER_CACHED = {{ never_cached | tojson }};
var HASHED_STATIC = /^\/static\/.+\.[0-9a-f]{8}\.[A-Za-z0-9]+$/;

var NAME = {{ name | tojson }};
var ICON = {{ icon | tojson }};

// The offline queue (the same file the pages load), for Background Sync; what a push shows.
importScripts({{ queue_script | tojson }}, {{ notify_script | tojson }});

function kept(url) {
  return KEPT.some(function (path) {
    return path.slice(-1) === "*" ? url.pathname.indexOf(path.slice(0, -1)) === 0 : url.pathname === path;
  });
}

function neverCached(url) {
  return NEVER_CACHED.some(function (prefix) { return url.pathname.indexOf(prefix) === 0; });
}

// Whether a response may be kept: ours, a plain 200 to a GET, outside NEVER_CACHED, and not
// marked private or no-store.
function mayCache(request, response) {
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || neverCached(url)) {
    return false;
  }
  if (request.method !== "GET" || !response || response.status !== 200 || response.type !== "basic") {
    return false;
  }
  var control = (response.headers.get("Cache-Control") || "").toLowerCase();
  return !/(^|[\s,])(private|no-store)(?=$|[\s,=])/.test(control);
}

self.addEventListener("install", function (event) {
  // Without cookies: what is precached is the same for everyone (no name, no token in it).
  event.waitUntil(caches.open(SHELL_CACHE).then(function (cache) {
    return cache.addAll(SHELL.map(function (url) {
      return new Request(url, {credentials: "omit", cache: "reload"});
    }));
  }).then(function () {
    return self.skipWaiting();
  }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf(PREFIX) === 0 && CURRENT_CACHES.indexOf(name) === -1;
    }).map(function (name) {
      return caches.delete(name);
    }));
  }).then(function () {
    return self.clients.claim();
  }));
});

function offlinePage() {
  return caches.open(SHELL_CACHE).then(function (cache) {
    return cache.match(OFFLINE_URL);
  }).then(function (page) {
    return page || Response.error();
  });
}

// Pages: the network first, keeping a copy of those read for later; without the network, the
// copy, else the offline page.
function navigate(request) {
  return fetch(request).then(function (response) {
    if (kept(new URL(request.url)) && mayCache(request, response)) {
      var copy = response.clone();
      caches.open(PAGES_CACHE).then(function (cache) { return cache.put(request, copy); });
    }
    return response;
  }, function () {
    return caches.open(PAGES_CACHE).then(function (cache) {
      return cache.match(request);
    }).then(function (page) {
      return page || offlinePage();
    });
  });
}

// Background Sync: what the offline queue keeps is sent as soon as the browser has a connection.
self.addEventListener("sync", function (event) {
  if (event.tag === "gongzhi-queue") {
    event.waitUntil(GongzhiQueue.flush(SLUG));
  }
});

// Web Push: the message (title, short text, link) becomes a notification; a tap opens its page,
// in the window already open if there is one.
self.addEventListener("push", function (event) {
  var data = null;
  try {
    data = event.data ? event.data.json() : null;
  } catch (error) {
    data = null;  // not ours: the district's name alone
  }
  var shown = GongzhiNotify.notification(data, SCOPE, self.location.origin, NAME, ICON);
  event.waitUntil(self.registration.showNotification(shown.title, shown.options));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = GongzhiNotify.target((event.notification.data || {}).url, SCOPE, self.location.origin);
  event.waitUntil(GongzhiNotify.open(self.clients, url, SCOPE, self.location.origin));
});

// Hashed static files never change: the cache first, the network once.
function hashedStatic(request) {
  return caches.match(request).then(function (cached) {
    if (cached) {
      return cached;
    }
    return fetch(request).then(function (response) {
      if (!mayCache(request, response)) {
        return response;
      }
      var copy = response.clone();
      return caches.open(STATIC_CACHE).then(function (cache) {
        return cache.put(request, copy);
      }).then(function () {
        return response;
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") {
    return;  // posts go to the server as they would without a worker
  }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.mode === "navigate" && url.pathname.indexOf(SCOPE) === 0) {
    event.respondWith(navigate(request));
  } else if (HASHED_STATIC.test(url.pathname)) {
    event.respondWith(hashedStatic(request));
  }
  // Anything else: the network, as if there were no worker.
});
