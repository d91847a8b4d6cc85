// Notifications on this phone (/t/{slug}/inbox/devices). The button shows only where the
// browser can take push; the browser asks its permission only after the person's tap. The
// subscription goes to the server as an ordinary form post; every text is in the page.
(function () {
  "use strict";
  var form = document.querySelector("form[data-push-subscribe]");
  if (!form) {
    return;
  }

  function show(state) {
    document.querySelectorAll("[data-push-state]").forEach(function (element) {
      element.hidden = element.getAttribute("data-push-state") !== state;
    });
  }

  function key(base64url) {
    var text = atob(base64url.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((base64url.length + 3) % 4));
    var bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i += 1) {
      bytes[i] = text.charCodeAt(i);
    }
    return bytes;
  }

  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    show("unsupported");
    return;
  }
  form.hidden = false;
  if (Notification.permission === "denied") {
    show("blocked");
  }

  // This phone's own subscription, marked in the list; taking it off also ends it in the browser.
  navigator.serviceWorker.ready.then(function (registration) {
    return registration.pushManager.getSubscription();
  }).then(function (subscription) {
    if (!subscription) {
      return;
    }
    document.querySelectorAll("[data-device-endpoint]").forEach(function (item) {
      if (item.getAttribute("data-device-endpoint") !== subscription.endpoint) {
        return;
      }
      item.querySelector("[data-this-device]").hidden = false;
      var remove = item.querySelector("form[data-push-remove]");
      remove.addEventListener("submit", function (event) {
        event.preventDefault();
        subscription.unsubscribe().catch(function () {}).then(function () { remove.submit(); });
      });
    });
  });

  var busy = false;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (busy) {
      return;
    }
    busy = true;
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") {
        show("blocked");
        throw null;
      }
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      return registration.pushManager.getSubscription().then(function (existing) {
        return existing || registration.pushManager.subscribe({
          userVisibleOnly: true, applicationServerKey: key(form.getAttribute("data-key"))
        });
      });
    }).then(function (subscription) {
      var data = subscription.toJSON();
      form.elements.endpoint.value = data.endpoint;
      form.elements.p256dh.value = data.keys.p256dh;
      form.elements.auth.value = data.keys.auth;
      form.submit();
    }).catch(function (error) {
      busy = false;
      if (error !== null) {
        show("failed");
      }
    });
  });
})();
