"""The skill taxonomy: canonical skill names and the other ways people write them.

Employers may add skills that are not here (free additions); those are kept as typed, tidied.
Keep names short and in the form a student would write on a CV.
"""

from __future__ import annotations

# canonical name -> aliases (compared case-insensitively, ignoring punctuation and spacing)
SKILLS: dict[str, tuple[str, ...]] = {
    # data
    "Python": ("python3", "py"),
    "R": ("r language", "rstats", "r programming"),
    "SQL": ("postgres", "postgresql", "mysql", "sqlite", "structured query language"),
    "Excel": ("microsoft excel", "spreadsheets", "spreadsheet", "google sheets"),
    "Data cleaning": ("data wrangling", "data preparation", "data munging"),
    "Data visualisation": ("data visualization", "dataviz", "data viz", "charts"),
    "Dashboards": ("dashboard", "power bi", "looker studio"),
    "Tableau": (),
    "Statistics": ("statistical analysis", "stats"),
    "Regression analysis": ("regression", "linear regression"),
    "Machine learning": ("ml",),
    "Forecasting": ("time series", "time-series forecasting"),
    "Survey design": ("questionnaire design", "surveys"),
    "Geospatial analysis": ("gis", "qgis", "arcgis", "mapping"),
    # business
    "Market research": ("market analysis",),
    "Competitive analysis": ("competitor analysis",),
    "Financial modelling": ("financial modeling", "financial model"),
    "Budgeting": ("budget planning",),
    "Business case writing": ("business case",),
    "Process mapping": ("process improvement", "bpmn"),
    "Project management": ("project planning",),
    "Operations": ("operations management",),
    "Supply chain": ("logistics", "supply chain management"),
    "Pricing strategy": ("pricing",),
    "Customer interviews": ("customer discovery", "user interviews"),
    "Sales enablement": ("sales",),
    "Grant writing": ("grants", "grant proposals"),
    "Fundraising": ("donor relations",),
    # design
    "UX research": ("user research", "ux", "user experience research"),
    "Usability testing": ("user testing",),
    "Wireframing": ("wireframes",),
    "Prototyping": ("prototype",),
    "Figma": (),
    "Visual design": ("graphic design",),
    "Accessibility": ("a11y", "wcag", "inclusive design"),
    "Information architecture": ("ia", "content structure"),
    "Service design": ("journey mapping", "customer journey mapping"),
    "Branding": ("brand identity", "brand design"),
    "Illustration": (),
    # communications
    "Copywriting": ("copy writing",),
    "Content strategy": (),
    "Social media": ("social media marketing", "smm"),
    "Public relations": ("pr", "media relations"),
    "Editing": ("copy editing", "proofreading"),
    "Technical writing": ("documentation",),
    "Video production": ("video editing", "video"),
    "Podcasting": ("audio production",),
    "Email marketing": ("newsletters", "newsletter"),
    "SEO": ("search engine optimisation", "search engine optimization"),
    "Presentation skills": ("presentations", "public speaking"),
    "Translation": ("localisation", "localization"),
    # engineering
    "JavaScript": ("js", "ecmascript"),
    "TypeScript": ("ts",),
    "HTML and CSS": ("html", "css", "html/css"),
    "Web development": ("web dev",),
    "APIs": ("api", "rest", "rest apis", "api design"),
    "Git": ("github", "version control"),
    "Testing": ("software testing", "qa", "unit testing"),
    "Cloud computing": ("aws", "azure", "gcp", "cloud"),
    "CAD": ("autocad", "solidworks", "fusion 360"),
    "Electronics": ("circuit design",),
    "Embedded systems": ("arduino", "microcontrollers"),
    "Energy modelling": ("energy modeling", "energy analysis"),
    "Sustainability assessment": ("life cycle assessment", "lca", "sustainability"),
    "Cybersecurity": ("security", "infosec"),
    # social science
    "Qualitative research": ("qualitative methods", "qual research"),
    "Interviewing": ("interviews", "stakeholder interviews"),
    "Focus groups": (),
    "Literature review": ("desk research",),
    "Policy analysis": ("policy research", "public policy"),
    "Program evaluation": ("programme evaluation", "impact evaluation"),
    "Community engagement": ("community outreach",),
    "Ethnography": ("fieldwork",),
    "Coding qualitative data": ("thematic analysis", "nvivo"),
    "Report writing": ("reports", "research writing"),
}


# Names that keep their capitals inside a sentence; the rest read in lower case
# ("matches SQL, Python and survey design").
PROPER = frozenset({
    "Python", "R", "SQL", "Excel", "Tableau", "Figma", "JavaScript", "TypeScript",
    "HTML and CSS", "APIs", "Git", "CAD", "SEO", "UX research",
})


def match_key(text: str) -> str:
    return " ".join("".join(ch if ch.isalnum() or ch == "+" else " " for ch in text.lower()).split())


LOOKUP: dict[str, str] = {}
for _name, _aliases in SKILLS.items():
    for _text in (_name, *_aliases):
        LOOKUP[match_key(_text)] = _name
