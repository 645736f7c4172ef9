"""The money of a booking: its ledger (deposit, balance, payments, refunds, credits) and the
cancellation policy that decides what is returned or kept as credit."""
