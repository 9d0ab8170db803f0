"""What a process means for the customer: SPEC section 1 facts (and later journeys, logs)."""
