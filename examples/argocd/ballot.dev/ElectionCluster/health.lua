-- Argo CD health for ballot.dev/ElectionCluster.
-- Health follows the conditions the Ballot operator writes, never status.phase:
--   no status yet                              -> Progressing
--   quorum lost (Degraded True, no quorum)     -> Degraded   (wins over everything: writes are down)
--   Stalled True at the current generation     -> Degraded   (needs a human)
--   spec.paused                                -> Suspended
--   generation not observed yet                -> Progressing
--   Reconciling True (rollout, scaling)        -> Progressing (even with fault tolerance 0 meanwhile)
--   Ready True and Available True              -> Healthy
--   anything else                              -> Progressing
local hs = {}

local function condition(conditions, kind)
  if conditions == nil then
    return nil
  end
  for _, c in ipairs(conditions) do
    if c.type == kind then
      return c
    end
  end
  return nil
end

local function isTrue(c)
  return c ~= nil and c.status == "True"
end

local function orDefault(message, default)
  if message ~= nil and message ~= "" then
    return message
  end
  return default
end

if obj.status == nil or obj.status.conditions == nil or #obj.status.conditions == 0 then
  hs.status = "Progressing"
  hs.message = "Waiting for the Ballot operator to report status"
  return hs
end

local status = obj.status
local conditions = status.conditions
local generation = obj.metadata.generation
local observed = status.observedGeneration

local available = condition(conditions, "Available")
local degraded = condition(conditions, "Degraded")
local quorum = status.quorum
local quorumShort = quorum ~= nil and quorum.healthy ~= nil and quorum.required ~= nil
    and quorum.healthy < quorum.required
if isTrue(degraded) and (quorumShort or not isTrue(available)) then
  local fallback = "Quorum lost"
  if quorum ~= nil and quorum.healthy ~= nil and quorum.voters ~= nil and quorum.required ~= nil then
    fallback = "Quorum lost: " .. quorum.healthy .. "/" .. quorum.voters .. " voters healthy, "
        .. quorum.required .. " required"
  end
  hs.status = "Degraded"
  hs.message = orDefault(degraded.message, fallback)
  return hs
end

local stale = generation ~= nil and (observed == nil or observed < generation)

local stalled = condition(conditions, "Stalled")
local stalledIsCurrent = stalled ~= nil and not stale
    and (stalled.observedGeneration == nil or generation == nil or stalled.observedGeneration >= generation)
if isTrue(stalled) and stalledIsCurrent then
  hs.status = "Degraded"
  hs.message = orDefault(stalled.message, "Stalled: the operator cannot make progress")
  return hs
end

if obj.spec ~= nil and obj.spec.paused == true then
  hs.status = "Suspended"
  hs.message = "Paused: the operator reports status but changes nothing while spec.paused is true"
  return hs
end

if stale then
  local seen = "none"
  if observed ~= nil then
    seen = "" .. observed
  end
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. generation
      .. " (observed: " .. seen .. ")"
  return hs
end

local reconciling = condition(conditions, "Reconciling")
if isTrue(reconciling) then
  hs.status = "Progressing"
  hs.message = orDefault(reconciling.message, "Reconciling")
  return hs
end

local ready = condition(conditions, "Ready")
if isTrue(ready) and isTrue(available) then
  hs.status = "Healthy"
  hs.message = orDefault(ready.message, "Ready")
  return hs
end

hs.status = "Progressing"
if ready ~= nil then
  hs.message = orDefault(ready.message, "Waiting for the cluster to become ready")
else
  hs.message = "Waiting for the cluster to become ready"
end
return hs
