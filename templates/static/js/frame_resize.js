// Inside the LMS's iframe, ask the LMS to fit the frame to the page (Canvas's
// lti.frameResize message; the demo LMS honours it too). Only a height is sent.
(function () {
  "use strict";
  if (window.parent === window) {
    return;
  }
  var sent = 0;
  function send() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height > 0 && height !== sent) {
      sent = height;
      window.parent.postMessage({subject: "lti.frameResize", height: height}, "*");
    }
  }
  send();
  window.addEventListener("load", send);
  if (window.ResizeObserver) {
    new ResizeObserver(send).observe(document.documentElement);
  }
})();
