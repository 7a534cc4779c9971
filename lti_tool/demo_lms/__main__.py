"""`python -m lti_tool.demo_lms`."""

from lti_tool.demo_lms.server import main

raise SystemExit(main())
