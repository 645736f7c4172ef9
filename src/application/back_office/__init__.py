"""What the owner's console shows: today at a glance and the calendar grid (read only; every
change goes through the same use cases as the admin API)."""
