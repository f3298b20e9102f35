"""The recruitment domain: postings, candidates, applications, CVs, consent and retention."""
