"""`python -m microbridge.demo_lms`."""

from microbridge.demo_lms.server import main

raise SystemExit(main())
