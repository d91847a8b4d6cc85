// What a district's service worker does with a push (sw.js imports this): the notification it
// shows, and the window a tap opens. Plain functions of their inputs, so that a page can check
// them with stand-ins for the worker's clients.
var GongzhiNotify = (function () {
  "use strict";

  // The page a notification leads to: a path of this district's app, else the app's home.
  function target(url, scope, origin) {
    var home = origin + scope;
    if (typeof url !== "string" || !url) {
      return home;
    }
    var resolved;
    try {
      resolved = new URL(url, origin);
    } catch (error) {
      return home;
    }
    return resolved.origin === origin && resolved.pathname.indexOf(scope) === 0 ? resolved.href : home;
  }

  // The title and options of the notification for a push's data ({title, body, url, urgent}).
  function notification(data, scope, origin, name, icon) {
    data = data && typeof data === "object" ? data : {};
    var url = target(data.url, scope, origin);
    return {
      title: typeof data.title === "string" && data.title ? data.title : name,
      options: {
        body: typeof data.body === "string" ? data.body : "",
        icon: icon,
        tag: url,  // a newer message about the same page replaces the older one
        renotify: true,
        requireInteraction: data.urgent === true,
        data: {url: url}
      }
    };
  }

  // A tap: the window already showing the page, else a window of the app sent to the page, else
  // a new window; the window is focused.
  function open(clients, url, scope, origin) {
    return clients.matchAll({type: "window", includeUncontrolled: true}).then(function (windows) {
      var same = windows.filter(function (client) { return client.url === url; })[0];
      if (same) {
        return same.focus();
      }
      var app = windows.filter(function (client) { return client.url.indexOf(origin + scope) === 0; })[0];
      if (app) {
        return app.focus().then(function (focused) {
          return (focused || app).navigate(url);
        }).then(function (navigated) {
          return navigated || clients.openWindow(url);
        }, function () {
          return clients.openWindow(url);
        });
      }
      return clients.openWindow(url);
    });
  }

  return {target: target, notification: notification, open: open};
})();
