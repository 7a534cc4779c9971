// Times in the browser's zone for people whose LMS did not name one (progressive enhancement).
// The server marks what it could only show in UTC: <time data-local>, a label with
// data-zone-label, a datetime-local input holding UTC (data-utc-value). Forms carry the zone
// back in their hidden "tz" field, so the server reads typed times in the same zone.
(function () {
  "use strict";
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (e) {
    return;
  }
  if (!zone) {
    return;
  }
  function pad(n) {
    return String(n).padStart(2, "0");
  }
  document.querySelectorAll('input[type="hidden"][name="tz"]').forEach(function (input) {
    if (!input.value) {
      input.value = zone;
    }
  });
  document.querySelectorAll("[data-zone-label]").forEach(function (el) {
    el.textContent = zone;
  });
  document.querySelectorAll("input[data-utc-value]").forEach(function (input) {
    var moment = new Date(input.value + ":00Z");
    if (isNaN(moment.getTime())) {
      return;
    }
    input.value = moment.getFullYear() + "-" + pad(moment.getMonth() + 1) + "-" +
      pad(moment.getDate()) + "T" + pad(moment.getHours()) + ":" + pad(moment.getMinutes());
  });
  var format = new Intl.DateTimeFormat("en-GB", {
    day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit",
    hour12: false, timeZone: zone
  });
  document.querySelectorAll("time[data-local]").forEach(function (el) {
    var moment = new Date(el.getAttribute("datetime"));
    if (!isNaN(moment.getTime())) {
      el.textContent = format.format(moment) + " (" + zone + ")";
    }
  });
})();
