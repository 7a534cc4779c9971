// LTI platform storage (1EdTech lti-pm-s / lti-cs-oidc): keep the login state in a frame of
// the LMS when the browser will not keep our cookie in its iframe.
(function () {
  "use strict";
  var box = document.getElementById("platform-storage");
  if (!box) { return; }
  var target = box.dataset.target, origin = box.dataset.origin, state = box.dataset.state;
  var key = "state-" + state;

  function frame() {
    if (target === "_parent") { return window.parent; }
    try { return window.parent.frames[target] || window.parent; } catch (e) { return window.parent; }
  }

  function ask(subject, extra, timeoutMs) {
    return new Promise(function (resolve, reject) {
      var id = subject + "-" + Math.random().toString(36).slice(2);
      function onMessage(event) {
        var data = event.data || {};
        if (event.origin !== origin || data.message_id !== id) { return; }
        window.removeEventListener("message", onMessage);
        if (data.error) { reject(data.error); } else { resolve(data); }
      }
      window.addEventListener("message", onMessage);
      var message = Object.assign({ subject: subject, message_id: id }, extra);
      frame().postMessage(message, origin);
      setTimeout(function () { window.removeEventListener("message", onMessage); reject("timeout"); }, timeoutMs);
    });
  }

  function failed() {
    var help = document.getElementById("storage-failed");
    if (help) { help.hidden = false; }
  }

  if (box.dataset.mode === "put") {
    ask("lti.put_data", { key: key, value: state }, 3000)
      .then(function () { window.location.replace(box.dataset.next); })
      .catch(function () { window.location.replace(box.dataset.next); });
  } else {
    ask("lti.get_data", { key: key }, 3000)
      .then(function (reply) {
        var form = document.getElementById("confirm-form");
        form.elements.state.value = reply.value || "";
        form.submit();
      })
      .catch(failed);
  }
})();
