"""Every blueprint the app serves, in one list: parts add theirs here."""

from __future__ import annotations

from flask import Blueprint


def all_blueprints() -> list[Blueprint]:
    # Credentials listen to credit approvals; subscribing happens on import, once.
    import grading.credentials.listeners  # noqa: F401
    from catalog.credit_office.views import bp as credit_policy_bp
    from catalog.curation.views import bp as curation_bp
    from catalog.employers.views import bp as employers_bp
    from catalog.portal.views import bp as outbox_bp
    from catalog.projects.views import bp as projects_bp
    from catalog.recommend.views import bp as recommend_bp
    from catalog.search.views import bp as catalog_bp
    from grading.applications.employer_views import bp as employer_applications_bp
    from grading.applications.views import bp as applications_bp
    from grading.choices.views import bp as choices_bp
    from grading.consent.views import bp as consent_bp
    from grading.courses.views import bp as courses_bp
    from grading.credentials.officer_views import bp as credentials_office_bp
    from grading.credentials.packet_verify_views import bp as packet_verify_bp
    from grading.credentials.packet_views import bp as packets_bp
    from grading.credentials.public_views import bp as credentials_public_bp
    from grading.credentials.views import bp as credentials_bp
    from grading.credit.employer_views import bp as employer_credit_bp
    from grading.credit.officer_views import bp as credit_office_bp
    from grading.credit.views import bp as credit_bp
    from grading.dashboards.views import bp as dashboards_bp
    from grading.milestones.views import bp as milestones_bp
    from grading.notices.views import bp as mail_settings_bp
    from grading.notices.views import unsubscribe_bp
    from grading.passback.views import bp as passback_bp
    from grading.placements.views import bp as placements_bp
    from grading.profiles.views import bp as profiles_bp
    from grading.reviews.employer_views import bp as employer_reviews_bp
    from grading.reviews.instructor_views import bp as reviews_bp
    from grading.submissions.views import bp as submissions_bp
    from grading.teams.views import bp as teams_bp
    from lti_tool.deep_linking.views import bp as deep_linking_bp
    from lti_tool.keys.views import bp as keys_bp
    from lti_tool.launch.views import bp as launch_bp
    from lti_tool.registration.views import bp as registration_bp
    from lti_tool.registry.views import bp as platform_admin_bp
    from lti_tool.web_home import bp as home_bp

    return [
        home_bp, keys_bp, launch_bp, registration_bp, platform_admin_bp, deep_linking_bp, courses_bp,
        employers_bp, projects_bp, curation_bp, catalog_bp, recommend_bp, outbox_bp, placements_bp,
        dashboards_bp, consent_bp, teams_bp, milestones_bp, submissions_bp, employer_reviews_bp, reviews_bp,
        passback_bp, choices_bp, profiles_bp, mail_settings_bp, unsubscribe_bp, credit_policy_bp,
        credit_bp, credit_office_bp, employer_credit_bp, applications_bp, employer_applications_bp,
        credentials_bp, credentials_public_bp, credentials_office_bp, packets_bp, packet_verify_bp,
    ]
