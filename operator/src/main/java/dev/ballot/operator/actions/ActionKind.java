package dev.ballot.operator.actions;

/**
 * The one-off actions a user can ask for with an annotation. A new kind is one value here (its annotation name and
 * its {@link ActionRules}: the pure gate and progress), plus, when it needs a new kind of executor call, an
 * {@link ActionStep.Op} and its case in the reconciler's ActionExecutor. ({@code ballot.dev/backup-now} is not one:
 * it changes nothing in the cluster, so it is never gated or queued, and status.backup acknowledges it.)
 */
public enum ActionKind {
    TRANSFER_LEADERSHIP("transfer-leadership", new TransferLeadership()),
    RESTART_MEMBER("restart-member", new RestartMember()),
    REPLACE_MEMBER("replace-member", new ReplaceMember()),
    RECOVER_QUORUM("recover-quorum-from", new RecoverQuorum());

    private final String name;
    private final ActionRules rules;

    ActionKind(String name, ActionRules rules) {
        this.name = name;
        this.rules = rules;
    }

    /** The name in status.actions[].name and in the annotation. */
    public String actionName() {
        return name;
    }

    public String annotation() {
        return ActionRequest.PREFIX + name;
    }

    public String idAnnotation() {
        return ActionRequest.PREFIX + name + ActionRequest.ID_SUFFIX;
    }

    public ActionRules rules() {
        return rules;
    }

    public static ActionKind byName(String name) {
        for (ActionKind k : values()) {
            if (k.name.equals(name)) {
                return k;
            }
        }
        return null;
    }
}
