"""CVs: the content checks every upload gets, and the object storage they live in."""
