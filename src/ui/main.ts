// Entry point of the app bundle.
import './qw-app.ts';
