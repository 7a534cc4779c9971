"""An institution's credit office: its credit policy and its credit officers."""
