// The launch answered with this page itself (no redirect): put the page's own address in
// the frame's history, so that reloading the frame asks for the page again instead of
// sending the LMS's launch, already used, a second time. Deferred: the address changes once
// the page is parsed, not while the frame is still committing its navigation.
(function () {
  "use strict";
  var script = document.currentScript;
  var address = script && script.getAttribute("data-address");
  if (address && window.history && window.history.replaceState) {
    window.history.replaceState(window.history.state, "", address);
  }
})();
