"""kinchain's clinical decision rules, one module each, exactly as published (see each module's
docstring for the citation and the confidence tags of the encoding)."""
