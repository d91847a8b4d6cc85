// A feedback form's "Add where I am": the phone's coordinates go into the form's hidden
// latitude and longitude fields, only when the resident asks. Without geolocation (or
// without this script) the button stays hidden and the form works as before.
(function () {
  "use strict";
  var button = document.querySelector("[data-locate]");
  if (!button || !("geolocation" in navigator)) {
    return;
  }
  var form = button.form;
  var status = document.getElementById(button.getAttribute("aria-controls"));
  button.hidden = false;
  button.addEventListener("click", function () {
    status.textContent = button.getAttribute("data-busy");
    navigator.geolocation.getCurrentPosition(function (position) {
      form.elements.latitude.value = position.coords.latitude.toFixed(6);
      form.elements.longitude.value = position.coords.longitude.toFixed(6);
      status.textContent = button.getAttribute("data-done")
        .replace("%(metres)s", String(Math.round(position.coords.accuracy)));
    }, function () {
      status.textContent = button.getAttribute("data-failed");
    }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
  });
})();
