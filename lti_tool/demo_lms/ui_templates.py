"""Jinja templates of the demo UI (inline strings, autoescaped by render_template_string)."""

from __future__ import annotations

LAYOUT = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} · {{ platform.name }}</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 0; color: #1b1b1b; }
  header { background: {{ "#2d3b45" if platform.is_canvas else "#f98012" }}; color: #fff;
           padding: .5rem 1rem; display: flex; gap: 1.5rem; align-items: center; flex-wrap: wrap; }
  header a { color: #fff; }
  main { padding: 1rem; }
  table { border-collapse: collapse; }
  th, td { border: 1px solid #999; padding: .25rem .5rem; text-align: left; vertical-align: top; }
  iframe.tool { width: 100%; height: 70vh; border: 1px solid #999; }
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
<section aria-labelledby="tool-frame">
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
