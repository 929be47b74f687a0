"""The standard ledgers (台账): per unit and period, as Excel and as PDF, in the export ledger."""
