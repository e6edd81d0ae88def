"""Every write to feedback: sending.py (residents send, rate, write back), answering.py (staff
replies, assignment, moderation, templates, the complaint hook), surveys.py (invitations and
responses)."""
