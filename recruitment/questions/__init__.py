"""Questions a posting asks its applicants: the editor, the answers, the P18 guard."""
