// LTI Dynamic Registration §3.6: tell the LMS the registration finished.
(function () {
  "use strict";
  var target = window.opener || window.parent;
  if (target && target !== window) { target.postMessage({ subject: "org.imsglobal.lti.close" }, "*"); }
})();
