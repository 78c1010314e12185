"""Named formats for numbers shown through the ledger (``ledger.shown(key, spec=COUNT)``).

One meaning, one format, in every chapter: a count never shows decimals, an
activation always two. The name says what kind of number it is.
"""

COUNT = ",.0f"  # counts, labels, sizes, indices: whole numbers with thousands separators
VALUE1 = ",.1f"  # a learning rate to one place
VALUE = ",.2f"  # activations, weights, pixels, sums
VALUE3 = ",.3f"  # values set beside each other to three places (the chain's factors)
VALUE4 = ",.4f"  # costs and gradients compared with autograd's
VALUE6 = ",.6f"  # a slope of the cost along one weight, too small for four places
TENTH = ".1f"  # a temperature, a step of a tenth
TIME = ".2f"  # a time in [0, 1]
LOSS = ".3f"
PERCENT = ".0%"  # shares of attention, probabilities read as percentages
PERCENT1 = ".1%"  # accuracies to a tenth of a percent
PERCENT2 = ".2%"  # accuracies to a hundredth, where two networks are compared
DISTANCE = ".4f"  # a distance between two sets of points (samples against data), small and compared by eye
HUNDREDTH = ".2f"  # a temperature to a hundredth
SCI = ".1e"  # float round-off: a difference that should be zero, too small for fixed places
