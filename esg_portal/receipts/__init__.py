"""Government receipts reported by agencies, per period, in versioned batches."""
