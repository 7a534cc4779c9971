"""Platform storage (lti-pm-s / lti-cs-oidc): the forwarding frame Canvas puts on its sso origin.

The tool posts lti.put_data / lti.get_data to the frame named by lti_storage_target; values are
kept per sender origin, and every reply goes to event.origin. The course page answers
lti.capabilities with the same script.
"""

from __future__ import annotations

from flask import Flask, Response

from .oidc import STORAGE_TARGET
from .platform import Platform

STORAGE_SCRIPT = """
(function () {
  "use strict";
  var FRAME = %(frame)s;
  var store = {};  // origin -> {key: value}; lives as long as the course page
  var SUPPORTED = [
    {subject: "lti.capabilities"},
    {subject: "lti.put_data", frame: FRAME},
    {subject: "lti.get_data", frame: FRAME}
  ];
  function reply(event, message) {
    message.message_id = event.data.message_id;
    event.source.postMessage(message, event.origin);
  }
  function fail(event, code, text) {
    reply(event, {subject: event.data.subject + ".response", error: {code: code, message: text}});
  }
  function handle(event) {
    var data = event.data;
    if (!data || typeof data !== "object" || typeof data.subject !== "string") { return; }
    if (!event.source) { return; }
    var bucket = store[event.origin] || (store[event.origin] = {});
    if (data.subject === "lti.capabilities") {
      reply(event, {subject: "lti.capabilities.response", supported_messages: SUPPORTED});
    } else if (data.subject === "lti.put_data") {
      if (typeof data.key !== "string" || !data.key) { return fail(event, "bad_request", "key is required"); }
      if (data.value === undefined || data.value === null) { delete bucket[data.key]; }
      else { bucket[data.key] = String(data.value); }
      reply(event, {subject: "lti.put_data.response", key: data.key, value: data.value});
    } else if (data.subject === "lti.get_data") {
      if (typeof data.key !== "string" || !data.key) { return fail(event, "bad_request", "key is required"); }
      reply(event, {subject: "lti.get_data.response", key: data.key,
                    value: Object.prototype.hasOwnProperty.call(bucket, data.key) ? bucket[data.key] : null});
    } else if (data.subject.indexOf("lti.") === 0 && data.subject.slice(-9) !== ".response") {
      fail(event, "unsupported_subject", "unsupported subject " + data.subject);
    }
  }
  window.addEventListener("message", handle);
  window.ltiPlatformStorage = {handle: handle, store: store};
})();
"""

FRAME_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Platform storage</title></head>
<body><script>%s</script></body></html>
"""


def storage_script(frame_name: str = STORAGE_TARGET) -> str:
    """The postMessage handler script, for the frame and for the course page."""
    return STORAGE_SCRIPT % {"frame": '"' + frame_name + '"'}


def frame_view() -> Response:
    """The hidden forwarding frame page."""
    return Response(FRAME_PAGE % storage_script(), content_type="text/html; charset=utf-8")


def register(app: Flask, platform: Platform) -> None:
    """Serve the frame when the flavour has platform storage (Canvas)."""
    if platform.endpoints.storage_frame:
        app.add_url_rule(platform.endpoints.storage_frame, "storage_frame", frame_view)
