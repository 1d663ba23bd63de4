"""Pure review engine (no Django): proposal schema, rules, the review computation."""

from .proposal import KINDS, FieldError, Proposal, ProposalError, load_proposal, parse_proposal
from .review import APPROVE, CONDITIONAL, REJECT, Budget, account_proposal, committed_loads, review
from .rules import RULES_DIR, Rules, RulesError, load_rules, parse_rules

__all__ = ["APPROVE", "CONDITIONAL", "KINDS", "REJECT", "RULES_DIR", "Budget", "FieldError", "Proposal",
           "ProposalError", "Rules", "RulesError", "account_proposal", "committed_loads", "load_proposal",
           "load_rules", "parse_proposal", "parse_rules", "review"]
