"""Jinja templates of the demo UI (inline strings, autoescaped by render_template_string)."""

from __future__ import annotations

LAYOUT = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} · {{ platform.name }}</title>
<link rel="icon" href="{{ favicon }}">
<style>
  body { font-family: system-ui, sans-serif; margin: 0; color: #1b1b1b; }
  /* Moodle's orange carries dark text (white on it is 2.6:1, under WCAG's 4.5:1). */
  header { background: {{ "#2d3b45" if platform.is_canvas else "#f98012" }};
           color: {{ "#fff" if platform.is_canvas else "#1b1b1b" }};
           padding: .5rem 1rem; display: flex; gap: 1.5rem; align-items: center; flex-wrap: wrap;
           /* Stays in view while a long tool page (the frame fits it) scrolls the LMS page. */
           position: sticky; top: 0; z-index: 1; }
  header a { color: inherit; }
  main { padding: 1rem; }
  table { border-collapse: collapse; }
  th, td { border: 1px solid #999; padding: .25rem .5rem; text-align: left; vertical-align: top; }
  iframe.tool { width: 100%; height: 70vh; border: 1px solid #999; }
  iframe.fitted { height: auto; }
  .notice { border-left: .25rem solid #1d4ed8; padding: .25rem .75rem; background: #eef2ff; }
  .badge { background: #eee; border-radius: .25rem; padding: 0 .25rem; }
  ul.links li { margin: .25rem 0; }
  form.inline { display: inline; }
</style>
</head>
<body>
<header>
  <strong>{{ platform.name }} ({{ platform.flavour }})</strong>
  <nav aria-label="Main">
    <a href="{{ base }}/">Course</a> ·
    <a href="{{ base }}/gradebook">Gradebook</a> ·
    <a href="{{ base }}/admin">Admin</a>
    {% if platform.state_file %} · <a href="/">Demo home</a>{% endif %}
  </nav>
  <form method="post" action="{{ base }}/switch-user">
    <label for="user">Signed in as</label>
    <select id="user" name="user_id">
      {% for person in people %}
      <option value="{{ person.user_id }}" {{ "selected" if person.user_id == user.user_id }}>
        {{ person.name }} ({{ roles_of(person) }})</option>
      {% endfor %}
    </select>
    <button type="submit">Switch</button>
  </form>
</header>
<main>
{{ body }}
</main>
</body>
</html>
"""

COURSE = """<h1>{{ course.title }}</h1>
<section aria-labelledby="activities">
<h2 id="activities">Activities</h2>
{% if not links %}<p>No activities yet.</p>{% endif %}
{% if teaching and not tools %}
<p class="notice">No LTI tool is registered and turned on for this course yet, so there is nothing
  to add. Register Microbridge first:
  {% if user.is_admin %}<a href="{{ base }}/admin">open the LTI tools page</a>
  {%- else %}ask your site administrator
  (in this demo, switch to {{ admin_name or "an administrator" }} and open Admin){% endif %},
  register it with its registration URL, then
  {{ "enable its key" if platform.is_canvas else "activate it" }}.</p>
{% endif %}
<ul class="links">
{% for link in links %}
  <li>
    <form class="inline" method="post" action="{{ base }}/launch/{{ link.id }}" target="tool">
      <button type="submit">{{ link.title }}</button>
    </form>
    {% if link.line_item_id %}<span class="badge">graded</span>{% endif %}
    {% if not link.published %}<span class="badge">unpublished</span>
      {% if teaching %}
      <form class="inline" method="post" action="{{ base }}/publish/{{ link.id }}">
        <button type="submit">Publish</button>
      </form>
      {% endif %}
    {% endif %}
    {% if due(link) %}<span>due {{ due(link) }}</span>{% endif %}
  </li>
{% endfor %}
</ul>
{% if teaching %}
  {% for tool in tools %}
  <form class="inline" method="post" action="{{ base }}/deep-link" target="tool">
    <input type="hidden" name="client_id" value="{{ tool.client_id }}">
    <button type="submit">Add {{ tool.name }} activity</button>
  </form>
  {% endfor %}
{% endif %}
</section>
<section aria-labelledby="tool-frame" id="tool-section"
  data-tool-origins="{{ tool_origins | tojson | forceescape }}">
<h2 id="tool-frame">Tool</h2>
<iframe class="tool" name="tool" title="Tool" src="about:blank"
  allow="{{ iframe_allow }}"></iframe>
</section>
{% if storage_url %}
<iframe name="{{ storage_target }}" src="{{ storage_url }}" title="Platform storage"
  hidden aria-hidden="true" tabindex="-1"></iframe>
<script>{{ storage_script | safe }}</script>
{% endif %}
<script>
window.addEventListener("message", function (event) {
  if (event.origin === location.origin && event.data &&
      event.data.subject === "demo_lms.deep_linking_done") { location.reload(); }
});
</script>
<script src="{{ base }}/course.js" defer></script>
"""

GRADEBOOK = """<h1>Gradebook: {{ course.title }}</h1>
{% if not items %}<p>No gradebook columns yet.</p>{% else %}
<table>
<caption>Scores, comments and timestamps by student and line item</caption>
<thead><tr><th scope="col">Student</th>
{% for item in items %}
<th scope="col">{{ item.label }} (/{{ "%g"|format(item.score_maximum) }})</th>
{% endfor %}
</tr></thead>
<tbody>
{% for student in students %}
<tr><th scope="row">{{ student.name }}</th>
{% for item in items %}{% set r = result(item, student) %}
<td>{% if r %}
  <strong>{% if r.score is none %}&ndash;{% else %}{{ "%g"|format(r.score) }}{% endif %}</strong>
  <br><small>{{ r.activity_progress }} / {{ r.grading_progress }}</small>
  <br><small><time datetime="{{ r.timestamp.isoformat() }}">
    {{- r.timestamp.strftime("%Y-%m-%d %H:%M:%S") -}}</time></small>
  {% for comment in r.comments %}<br><q>{{ comment }}</q>{% endfor %}
{% else %}&ndash;{% endif %}</td>
{% endfor %}</tr>
{% endfor %}
</tbody>
</table>
{% endif %}
"""

ADMIN = """<h1>Admin: LTI tools</h1>
<table>
<caption>Registered tools</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Client ID</th>
<th scope="col">Deployment</th><th scope="col">Status</th></tr></thead>
<tbody>
{% for tool in tools %}
<tr><td>{{ tool.name }}</td><td><code>{{ tool.client_id }}</code></td>
<td><code>{{ tool.deployment_id }}</code></td>
<td>{% if tool.active %}active{% else %}
  <form method="post" action="{{ base }}/admin/activate">
    <input type="hidden" name="client_id" value="{{ tool.client_id }}">
    <button type="submit">{{ "Enable key" if platform.is_canvas else "Activate" }}</button>
  </form>{% endif %}</td></tr>
{% else %}<tr><td colspan="4">No tools yet.</td></tr>{% endfor %}
</tbody>
</table>
<h2>Register a tool (LTI Dynamic Registration)</h2>
<form method="post" action="{{ base }}/admin/register">
  <label for="url">Tool registration URL</label>
  <input id="url" name="url" type="url" size="60" required value="{{ suggested_url }}">
  <button type="submit">Register</button>
</form>
{% if registration_url %}
<iframe class="tool" title="Tool registration" src="{{ registration_url }}"></iframe>
<script>
window.addEventListener("message", function (event) {
  if (event.data && event.data.subject === "org.imsglobal.lti.close") {
    location.href = {{ (base ~ "/admin") | tojson }};
  }
});
</script>
{% endif %}
"""

# Served as a file (/course.js), so a page CSP without 'unsafe-inline' would still allow it.
COURSE_SCRIPT = """// The tool frame: hidden until something is launched into it, then as tall as the tool's
// page says it is (Canvas's lti.frameResize message), from the registered tools' origins only.
(function () {
  "use strict";
  var section = document.getElementById("tool-section");
  var frame = section && section.querySelector("iframe.tool");
  if (!frame) {
    return;
  }
  var origins = JSON.parse(section.getAttribute("data-tool-origins") || "[]");
  // Whether the frame still shows nothing. A launch may have started before this deferred
  // script ran (a quick click while the page loads): then the frame is on the tool's origin,
  // which this page may not read, and it must stay visible.
  function blank() {
    try {
      return frame.contentWindow.location.href === "about:blank";
    } catch (crossOrigin) {
      return false;
    }
  }
  section.hidden = blank();
  frame.addEventListener("load", function () {
    if (!blank()) {
      section.hidden = false;
    }
  });
  document.querySelectorAll('form[target="tool"]').forEach(function (form) {
    form.addEventListener("submit", function () {
      section.hidden = false;
    });
  });
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.source !== frame.contentWindow || origins.indexOf(event.origin) < 0 ||
        !data || data.subject !== "lti.frameResize") {
      return;
    }
    var height = Number(data.height);
    if (isFinite(height) && height > 0) {
      frame.classList.add("fitted");
      frame.style.height = Math.min(Math.max(Math.ceil(height), 150), 20000) + "px";
    }
  });
})();
"""

FAVICON = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">\
<rect width="32" height="32" rx="6" fill="#555"/>\
<path d="M6 9h20v14H6z" fill="none" stroke="#fff" stroke-width="2.5"/>\
<path d="M6 13h20" stroke="#fff" stroke-width="2.5"/></svg>
"""

FORBIDDEN = """<h1>Only administrators open this page</h1>
<p>You are signed in as {{ user.name }}, who is not a site administrator, so the LMS's
tool administration is closed to you (as it is in {{ "Canvas" if platform.is_canvas else "Moodle" }}).</p>
{% if admin %}
<form method="post" action="{{ base }}/switch-user">
  <input type="hidden" name="user_id" value="{{ admin.user_id }}">
  <input type="hidden" name="next" value="admin">
  <button type="submit">Switch to {{ admin.name }} (administrator)</button>
</form>
{% endif %}
"""
