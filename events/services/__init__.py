"""Every write to events and RSVPs: rsvp.py (seats and the waitlist), hosting.py (creating and
changing events, check-in, attendance), reminders.py (the beat scan)."""
