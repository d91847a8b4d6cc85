// The organiser's code page: the code changes every minute, so the page renews itself
// every 20 seconds while it is shown (a hidden page waits until it is seen again).
(function () {
  "use strict";
  var renew = function () {
    if (document.visibilityState === "visible") {
      window.location.reload();
    } else {
      document.addEventListener("visibilitychange", renew, { once: true });
    }
  };
  window.setTimeout(renew, 20000);
})();
