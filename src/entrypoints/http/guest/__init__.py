"""Pages for guests: no sign-in, the reservation's unguessable code is the key."""
