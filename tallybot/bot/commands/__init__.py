"""The platform-neutral chat command layer that every chat adapter shares."""
