// Inside the LMS's iframe, ask the LMS to fit the frame to the page (Canvas's
// lti.frameResize message; the demo LMS honours it too). Only a height is sent, once the
// page has settled (a burst of layout changes sends one message, not one per frame).
(function () {
  "use strict";
  if (window.parent === window) {
    return;
  }
  var sent = 0;
  var timer = 0;
  function send() {
    timer = 0;
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height > 0 && Math.abs(height - sent) > 2) {
      sent = height;
      window.parent.postMessage({subject: "lti.frameResize", height: height}, "*");
    }
  }
  function later() {
    if (timer) {
      window.clearTimeout(timer);
    }
    timer = window.setTimeout(send, 150);
  }
  send();
  window.addEventListener("load", later);
  if (window.ResizeObserver) {
    new ResizeObserver(later).observe(document.documentElement);
  }
})();
