package dev.ballot.operator.storage;

/** Whether a StorageClass lets its claims grow, as far as the operator can tell. */
public enum Expansion {
    /** {@code allowVolumeExpansion: true}. */
    ALLOWED,
    /** {@code allowVolumeExpansion} unset or false: the API server refuses every resize of its claims. */
    NOT_ALLOWED,
    /** The class does not exist (any more): the API server refuses the resize too. */
    CLASS_MISSING,
    /** The class could not be read (no RBAC on storageclasses, API error): try, and let the API server decide. */
    UNKNOWN
}
