"""GUI logic between the user's actions, the session and the workflows: no widgets here."""
