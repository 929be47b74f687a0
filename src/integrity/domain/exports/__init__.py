"""Case-trail PDFs for auditors, the export ledger, and verifying an export later."""
