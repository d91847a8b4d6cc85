// A district's pages: register the district's service worker (scope /t/{slug}/), and offer
// "add to home screen" when the browser says the app can be installed. Platform pages have
// no district and load nothing of this. Without this script every page works as before.
(function () {
  "use strict";
  var script = document.currentScript;
  var scope = script && script.getAttribute("data-scope");
  if (!scope) {
    return;
  }
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(script.getAttribute("data-worker"), {scope: scope}).catch(function () {
      // No worker (a private window, an old browser): the pages still work online.
    });
  }

  // The offer (hidden until the browser allows installing) and its button.
  var offer = document.querySelector("[data-install]");
  var button = offer && offer.querySelector("button");
  var offered = null;
  if (!button) {
    return;
  }
  window.addEventListener("beforeinstallprompt", function (event) {
    // Our own button instead of the browser's bar: shown only when installing is possible.
    event.preventDefault();
    offered = event;
    offer.hidden = false;
  });
  button.addEventListener("click", function () {
    if (!offered) {
      return;
    }
    var prompt = offered;
    offered = null;
    offer.hidden = true;
    prompt.prompt();
    prompt.userChoice.catch(function () {});
  });
  window.addEventListener("appinstalled", function () {
    offered = null;
    offer.hidden = true;
  });
})();
